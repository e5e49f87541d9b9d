"""Labels from cue words: the nearest cue whose indicator admits the number's kind of unit."""

import pytest

from llmx.engine.candidates import cue_window
from llmx.engine.cue_rules import cue_rules
from llmx.text.numbers import find_mentions
from llmx.reports.fazhi.models import CATALOGUE


def _label(sentence: str, number: str) -> str | None:
    mention = next(m for m in find_mentions(sentence) if m.text == number and m.kind == "candidate")
    return cue_rules(CATALOGUE.cues).label(cue_window(sentence, mention), mention.unit)


@pytest.mark.parametrize("sentence, number, key", [
    ("开展法治培训4场次，覆盖镇村干部200余人。", "4", "legal_trainings"),
    ("开展法治培训4场次，覆盖镇村干部200余人。", "200", "training_participants"),  # breakdown: earlier cue, unit decides
    ("开展普法宣传41场次，覆盖群众2000余人次。", "2000", "publicity_reach"),
    ("组织200余名工作人员参加宪法网上测试。", "200", "training_participants"),  # the head noun after the number
    ("组织应知应会法律知识考试1次。", "1", "other"),  # an exam is not an event of any indicator
    ("筹备召开4次法治建设(法治政府)工作推进会。", "4", "rule_of_law_meetings"),  # an aside does not end the clause
    ("收到依申请政府信息公开10件。", "10", "info_requests"),
    ("新增持证执法人员3名。", "3", "certified_officers"),  # the longest cue wins
    ("网上可办率达100%。", "100%", None),  # a rate with no cue of its own
    ("辖区20个村(社区)配备了法律顾问。", "20", "legal_adviser_villages"),
    # a lecture or class for the public is publicity; for cadres it stays study of law
    ("组织律师走进校园开展法治授课3场次。", "3", "publicity_events"),
    ("组织班子成员开展法治授课3场次。", "3", "law_study_sessions"),
    ("深入社区为居民举办法治讲座6次。", "6", "publicity_events"),
    ("党委理论学习中心组举办法治讲座6次。", "6", "law_study_sessions"),
    # synonyms of a catalogue entry's own word
    ("执法人员持证比例达95%。", "95%", "certification_rate"),
    ("发放普法宣传材料300份。", "300", "publicity_materials"),
    ("提交申请材料12份。", "12", None),  # 材料 alone is no publicity
    ("梳理人社依申请服务事项155项。", "155", None),  # services, not information requests
    # a meeting whose spirit was studied is content, not a meeting held
    ("组织专题学习中央全面依法治国委员会会议精神、宪法法律等共20余次。", "20", "law_study_sessions"),
    ("组织专题学习讲话精神15次。", "15", "law_study_sessions"),  # only a meeting's 精神 is content
    ("在6个行政村开展“法治流动课堂”18次。", "18", "publicity_events"),
    ("组织任前考法3场。", "3", "other"),
    # the clause names what it counts in a unit its indicators do not take: no cue of another clause leaks in
    ("组织法治培训会2次，参加现场调解6次。", "6", None),
    ("开展矛盾纠纷排查调处活动12次。", "12", "dispute_screening"),  # another cue of the clause fits
    ("县政府常务会议研究法治政府建设有关问题2次。", "2", "rule_of_law_meetings"),
    ("办理行政处罚案件20件，实施行政强制措施8件。", "8", "other"),
    ("收到依申请政府信息公开申请8件。", "8", "info_requests"),
    # people appointed to a role are not trainees, even beside a training word
    ("全县聘请法治副校长45人，组织培训2期。", "45", "other"),
    # a case is counted in case units: documents about cases and items of a power list are not cases
    ("办理行政复议案件5件。", "5", "reconsideration_cases"),
    ("收到行政复议决定书6份。", "6", None),
    ("梳理行政处罚权事项1322项。", "1322", None),
    ("完成必修课合计40课时。", "40", None),  # hours of a course, not sessions
    ("全年共审查区级党政规范性文件24件。", "24", "legality_reviews"),  # documents reviewed
    ("制定行政规范性文件3件。", "3", "normative_documents"),  # documents made
    ("已备案的合同3373件。", "3373", "other"),  # contracts filed, not reviewed
    ("累计召开法治建设工作会议10次。", "10", "rule_of_law_meetings"),  # a working meeting on rule of law
    ("召开安全生产工作会议3次。", "3", None),  # a working meeting on something else
    ("办理征求法律意见335件次。", "335", "legality_reviews"),  # 件次 counts items
    ("全局持有执法证件率达到91.4%。", "91.4%", "certification_rate"),
    ("办理行政诉讼案件4件。", "4", "litigation_cases"),
    ("2024年街道诉讼案件72起。", "72", None),  # a suit not named administrative is not the catalogue's
    ("受训人员达到605人。", "605", "training_participants"),
    ("全年召开县委全面依法治县委员会全体扩大会议 1 次。", "1", "rule_of_law_meetings"),
    ("县委理论学习中心组集中学习研究法治思想4次。", "4", "law_study_sessions"),  # study, not a meeting
    # the people a study or an exam of law reached are its participants (the catalogue's 学法考试)
    ("组织1500名干部职工参加学法考法。", "1500", "training_participants"),
    ("开展专题学习5次，覆盖机关干部300余人次。", "300", "training_participants"),
    # bodies counted (家, or 个 before a body's name) are those served or inspected, not work done
    ("对12家企业开展行政检查。", "12", "other"),
    ("对30个单位开展行政执法检查。", "30", None),
    ("对30 个 市直单位开展行政执法检查。", "30", None),  # spaces and a modifier before the noun
    ("开展执法培训，获得全省第 2 名。", "2", None),  # a rank, spaces between
    ("开展行政检查30个。", "30", "enforcement_supervision"),
    # a rank places, it counts nobody
    ("普法作品评选获得第2名。", "2", None),
    ("新增公职律师2名。", "2", None),  # a government's own lawyers are not advisers engaged
    ("组织学法培训，全市936名党政主要负责人书面述法。", "936", "other"),  # who reported on their duties: no indicator counts them
    ("组织领导班子开展述法活动2次。", "2", "law_reporting"),
    ("审核规范性文件30件，征求意见12件。", "12", "other"),  # comments solicited on drafts are no review
    ("依法查处违法行为14起。", "14", "penalty_cases"),
])
def test_nearest_fitting_cue_decides(sentence, number, key):
    assert _label(sentence, number) == key


def _rule_keys(text: str) -> list[tuple[str, str]]:
    from llmx.engine.rule_labels import rule_labels
    from llmx.pipeline import analyse
    from llmx.reports.report_type import load_report_type

    report_type = load_report_type("fazhi")
    candidates = analyse(text, report_type).candidates
    labels = rule_labels(candidates, report_type.catalogue)
    return [(c.mention.text, labels[c.id]) for c in candidates]


def test_a_breakdown_no_cue_places_takes_its_wholes_key():
    """收到…申请20件。其中，受理15件: the catalogue's rule, a sub-breakdown takes the whole's key."""
    assert _rule_keys("全年收到行政复议申请20件。其中，受理15件，不予受理5件。") == [
        ("20", "reconsideration_cases"), ("15", "reconsideration_cases"), ("5", "reconsideration_cases")]


def _over_labels(text: str, given: dict[str, str]) -> dict[str, str]:
    """``parts_take_wholes`` over labels another design gave (``given``, by number; the cues' key elsewhere)."""
    from llmx.engine.rule_labels import parts_take_wholes, rule_labels
    from llmx.pipeline import analyse
    from llmx.reports.report_type import load_report_type

    report_type = load_report_type("fazhi")
    candidates = analyse(text, report_type).candidates
    cued = rule_labels(candidates, report_type.catalogue)
    labels = {c.id: given.get(c.mention.text, cued[c.id]) for c in candidates}
    return {c.mention.text: key for c, key in zip(candidates, parts_take_wholes(candidates, labels,
                                                                              report_type.catalogue).values())}


def test_a_part_a_design_doubts_takes_its_wholes_key_as_the_design_left_it():
    text = "全年收到行政复议申请20件。其中，受理15件，不予受理5件。"
    assert _over_labels(text, {"15": "other"}) == {
        "20": "reconsideration_cases", "15": "reconsideration_cases", "5": "reconsideration_cases"}
    # a whole the design relabels carries its parts along; a part it sets aside stays aside
    assert _over_labels(text, {"20": "petitions", "15": "none:labeller"}) == {
        "20": "petitions", "15": "none:labeller", "5": "petitions"}
    # a whole set aside or counted as other gives its parts nothing
    assert _over_labels(text, {"20": "none:labeller", "15": "other"})["15"] == "other"


def test_a_part_of_a_part_reads_the_label_the_design_left_its_whole_with():
    text = "全年收到行政复议申请20件。其中，受理15件（其中，当场受理10件），不予受理5件。"
    got = _over_labels(text, {"20": "none:labeller", "15": "reconsideration_cases", "10": "other"})
    # 10 takes 15's label though 20, the whole of both, was set aside; 5 keeps its own
    assert got == {"20": "none:labeller", "15": "reconsideration_cases", "10": "reconsideration_cases",
                   "5": "reconsideration_cases"}


def test_a_part_its_own_cue_places_keeps_the_designs_label():
    assert _over_labels("现有执法人员12名，其中持证执法人员8名。", {"8": "other"}) == {
        "12": "enforcement_staff", "8": "other"}


def test_a_breakdown_part_its_own_cue_places_keeps_that_key():
    assert _rule_keys("现有执法人员12名，其中持证执法人员8名。") == [
        ("12", "enforcement_staff"), ("8", "certified_officers")]


def test_a_breakdown_ends_with_its_aside_and_its_sentence():
    text = "调处矛盾纠纷30起（其中邻里纠纷28起），另有来访12件。其中来信9件。"
    assert _wholes(text) == {"30": None, "28": 1, "12": None, "9": 3}  # 9 breaks down 12, the figure before its 其中


def _wholes(text: str) -> dict[str, int | None]:
    from llmx.pipeline import analyse
    from llmx.reports.report_type import load_report_type

    return {c.mention.text: c.part_of for c in analyse(text, load_report_type("fazhi")).candidates}


def test_only_the_figure_right_before_qizhong_is_a_whole():
    assert _wholes("办理行政复议案件6件，组织培训2次，其中线上1次。") == {"6": None, "2": None, "1": 2}


def test_a_breakdown_runs_on_across_semicolons_and_past_an_inner_aside():
    assert _wholes("收到申请87件，其中受理66件（其中办结60件）；不予受理18件。下一句9件。") == {
        "87": None, "66": 1, "60": 2, "18": 1, "9": None}


def test_a_stop_word_in_a_breakdown_keeps_the_part_out_of_the_wholes_key():
    keys = dict(_rule_keys("办理行政处罚案件50件，其中不予处罚12件。"))
    assert keys == {"50": "penalty_cases", "12": "other"}


def test_a_breakdown_ends_at_the_first_number_its_indicator_does_not_count_in():
    keys = dict(_rule_keys("办理行政处罚案件50件，其中涉企12件，开展执法培训3次，发放执法证件20件。"))
    assert keys["12"] == "penalty_cases" and keys["20"] != "penalty_cases"
