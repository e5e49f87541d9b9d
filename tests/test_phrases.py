"""The hybrid design's readings: a confused batch is refused as a whole."""

import pytest
from pydantic import ValidationError

from llmx.engine.phrases import Phrases


@pytest.mark.parametrize("labels", [
    [{"id": 1, "label": "法治讲座2次"}, {"id": 2, "label": "调解"}],
    [{"id": 1, "label": "长" * 41}, {"id": 2, "label": "调解"}],
    [{"id": 1, "label": "讲座"}],
    [{"id": 1, "label": "讲座"}, {"id": 1, "label": "讲座"}, {"id": 2, "label": "调解"}],
])
def test_confused_batches_are_refused(labels):
    with pytest.raises(ValidationError):
        Phrases.model_validate({"labels": labels}, context={"ids": [1, 2]})


def test_a_clean_batch_is_read():
    phrases = Phrases.model_validate({"labels": [{"id": 1, "label": " 讲座 "}, {"id": 2, "label": "调解"}]},
                                     context={"ids": [1, 2]})
    assert [p.label for p in phrases.labels] == ["讲座", "调解"]
