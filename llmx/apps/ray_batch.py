"""``llmx batch --engine ray``: the local batch, with its reports extracted by Ray tasks across a cluster.

Why it is shaped this way:

- Only extraction moves.  ``RayBatch`` replaces ``Batch._engine`` and
  nothing else: planning, skipping current outputs, ``errors.jsonl``,
  progress and every write stay on the driver, in ``Batch``.  So outputs,
  resumability and messages are the local batch's by construction, and no
  worker needs write access to OUTDIR (it only has to be on the driver).
- A task's result is returned to the driver, never written by the worker.
  A worker that dies mid-report therefore leaves nothing behind; Ray retries
  the task (``max_retries``) on any live worker, on any node, and the driver
  writes it once, when it arrives.  Finished outputs are never touched again.
- Workers read the reports themselves, by absolute path: INPUTS must be on a
  filesystem every node sees at the same path (NFS, Lustre, a synced copy).
- Each worker process opens its model session once and keeps it for every
  task it runs (an embedded model starts once per process, not per report).
- The model endpoint is per node: ``--base-url`` may hold ``{node_ip}``,
  filled in on each worker with its node's address, and a loopback URL is
  each node's own server anyway.  The URL as given (the template) is the
  endpoint's identity, so a result's ``config_hash`` does not depend on which
  node made it, and a rerun skips it wherever it lands.
- Ray is imported only here, and this module only with ``--engine ray``.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import itertools
import logging
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from types import ModuleType
from typing import Any

from llmx.apps.batch import Batch, Dispatch, EndpointPool, Finished, JobRunner, Outcome
from llmx.apps.resume import Job, config_hash
from llmx.options import needs_model
from llmx.model.config import LLMConfig
from llmx.reports.report_type import load_report_type
from llmx.errors import LlmxError
from llmx.model.session import open_llm

#: Placeholder in ``--base-url`` for the address of the node a worker runs on.
NODE_IP = "{node_ip}"
#: Times Ray runs a report again after its worker process or node died (Ray's own default).
MAX_RETRIES = 3


def import_ray() -> ModuleType:
    """Ray, or one line naming the extra that installs it."""
    try:
        import ray
    except ImportError as exc:
        raise LlmxError("--engine ray needs Ray: pip install 'llmx[ray]' (on every node of the cluster)") from exc
    return ray


@dataclasses.dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its own extractor: plain data, shipped with every task."""

    report_type: str
    design: str
    prompt_version: str | None
    config: LLMConfig | None  # None: no model (rules)
    retry_wait: float


# ---------------------------------------------------------------- inside a Ray worker process

_sessions: dict[WorkerSpec, JobRunner] = {}
_open = ExitStack()  # this worker process's model sessions, closed when it exits
atexit.register(_open.close)


def worker_extractor(spec: WorkerSpec) -> JobRunner:
    """This process's extractor for ``spec``, built on its first task and kept for the next ones."""
    if spec not in _sessions:
        llms = []
        if spec.config is not None:
            config = spec.config
            if config.base_url and NODE_IP in config.base_url:
                import ray

                config = dataclasses.replace(config, base_url=config.base_url.replace(
                    NODE_IP, ray.util.get_node_ip_address()))
            llm = _open.enter_context(open_llm(config, progress=False))
            if spec.config.base_url:
                llm.endpoint_id = spec.config.base_url  # the template: the same identity on every node
            llms.append(llm)
        pool = EndpointPool(llms, spec.retry_wait)
        _sessions[spec] = JobRunner(load_report_type(spec.report_type), spec.design, spec.prompt_version, pool)
    return _sessions[spec]


def worker_identity(spec: WorkerSpec) -> str:
    """The ``config_hash`` a worker stamps on its results: the driver skips outputs that carry it."""
    extract = worker_extractor(spec)
    return config_hash(extract.report_type, spec.design, spec.prompt_version, next(iter(extract.pool.llms), None))


def worker_extract(job: Job, spec: WorkerSpec) -> tuple[Outcome, dict[str, Any] | None]:
    """One report; a bad report comes back as a failed outcome, only a dead worker makes Ray retry."""
    return worker_extractor(spec)(job)


# ---------------------------------------------------------------- on the driver


@dataclasses.dataclass
class RayBatch(Batch):
    """A ``Batch`` whose reports are Ray tasks; ``workers`` caps the reports in flight (0: twice the cluster's CPUs)."""

    address: str | None = None  # None: $RAY_ADDRESS, else a new local cluster with ``workers`` CPUs

    def __post_init__(self) -> None:
        """Refuse what cannot work before OUTDIR is touched."""
        if len(self.configs) > 1:
            raise LlmxError("--engine ray takes one --base-url: each node's own endpoint "
                            f"(a loopback URL, or a URL with {NODE_IP})")
        import_ray()

    def _engine(self, stack: ExitStack) -> tuple[set[str], Dispatch]:
        ray = import_ray()
        self._connect(ray, stack)
        spec = WorkerSpec(self.report_type.name, self.design, self.prompt_version,
                          self.configs[0] if needs_model(self.design) else None, self.retry_wait)
        try:
            accepted = {ray.get(ray.remote(max_retries=MAX_RETRIES)(worker_identity).remote(spec))}
        except ray.exceptions.RayError as exc:
            raise _worker_error(ray, exc) from exc
        in_flight = self.workers or 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        extract = ray.remote(max_retries=MAX_RETRIES)(worker_extract)
        return accepted, functools.partial(_dispatch, ray, extract, spec, in_flight)

    def _connect(self, ray: ModuleType, stack: ExitStack) -> None:
        """Join the cluster (or start one here); a connection this batch made is closed with it."""
        if ray.is_initialized():  # a program that called ray.init itself keeps its connection
            return
        local = not (self.address or os.environ.get("RAY_ADDRESS"))
        on_term = signal.getsignal(signal.SIGTERM)
        try:
            ray.init(address=self.address, num_cpus=(self.workers or None) if local else None,
                     include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError... for a bad address
            where = self.address or os.environ.get("RAY_ADDRESS") or "a local Ray cluster"
            raise LlmxError(f"{where}: cannot start or join Ray ({' '.join(str(exc).split())})") from exc
        stack.callback(ray.shutdown)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, on_term)  # Ray's handler exits at once; a kill must unwind as Ctrl-C


def _dispatch(ray: ModuleType, extract: Any, spec: WorkerSpec, in_flight: int,
              todo: Sequence[Job]) -> Iterator[Finished]:
    """Keep ``in_flight`` tasks submitted; yield each job as its task ends, polling so Ctrl-C is seen."""
    waiting = iter(todo)
    pending: dict[Any, Job] = {}
    while True:
        for job in itertools.islice(waiting, in_flight - len(pending)):
            pending[extract.remote(dataclasses.replace(job, source=job.source.resolve()), spec)] = job
        if not pending:
            return
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.2)
        for ref in ready:
            job = pending.pop(ref)
            yield job, *_collect(ray, ref, job)


def _collect(ray: ModuleType, ref: Any, job: Job) -> tuple[Outcome, dict[str, Any] | None]:
    """The task's outcome, named by the path the user gave; a task Ray gave up on is a failed report."""
    try:
        outcome, result = ray.get(ref)
    except ray.exceptions.RayError as exc:
        return Outcome(job.source, "failed", str(_worker_error(ray, exc))), None
    return dataclasses.replace(outcome, source=job.source), result


def _worker_error(ray: ModuleType, exc: Exception) -> LlmxError:
    """One line for a failure on the Ray side (an llmx error raised in a worker keeps its own line)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, LlmxError):
        return cause
    first = next((line.strip() for line in str(cause or exc).splitlines() if line.strip()), "")
    if isinstance(exc, (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError)):
        return LlmxError(f"its Ray worker died on each of {1 + MAX_RETRIES} attempts ({type(exc).__name__}: {first})")
    return LlmxError(f"Ray task failed ({type(exc).__name__}: {first}); is llmx[ray] installed on every node?")
