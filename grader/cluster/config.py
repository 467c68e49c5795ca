"""Where a class is graded when it is not this machine: ``--cluster`` and ``--cluster-config``.

``--cluster`` (or ``DLGRADER_CLUSTER``) names the engine: a running Dask scheduler's address
(``tcp://host:8786``), ``local`` (a Dask ``LocalCluster`` of processes on this machine), one of
the batch schedulers dask-jobqueue drives (``slurm``, ``pbs``, ``sge``, ``lsf``, ``htcondor``) or
``kubernetes`` (dask-kubernetes' operator). ``--cluster-config`` is a YAML file with the rest:

.. code-block:: yaml

    kind: slurm              # or given by --cluster
    queue: gpu               # partition (Slurm) / queue (PBS, SGE, LSF)
    account: curso-dl
    walltime: "02:00:00"
    cores: 8                 # per job
    memory: 32GB             # per job
    processes: 2             # Dask workers per job (one per GPU on GPU nodes)
    gpus: 2                  # GPUs per job; --per-gpu K submissions share each one
    jobs: 4                  # fixed number of jobs, or:
    adaptive: {minimum: 0, maximum: 20}
    job_extra_directives: ["--constraint=a100"]
    job_script_prologue: ["module load python/3.11", "source ~/dl-grader/.venv/bin/activate"]
    data: auto               # shared | ship | auto: the workers' copy of the datasets
    data_dir: /scratch/datasets   # where the workers see them (default: the client's --data-dir)

Every key is checked (a misspelt one is an error naming the keys there are), and
``extra`` passes anything else to the engine's cluster class as it is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.model.errors import UsageError

JOBQUEUE = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster", "lsf": "LSFCluster",
            "htcondor": "HTCondorCluster"}
KINDS = ("local", *JOBQUEUE, "kubernetes")
ENV = "DLGRADER_CLUSTER"


class Adaptive(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minimum: int = Field(0, ge=0)
    maximum: int = Field(ge=1)


class ClusterConfig(BaseModel):
    """What ``--cluster`` and ``--cluster-config`` say, checked."""
    model_config = ConfigDict(extra="forbid")

    kind: str = "local"  # local | slurm | pbs | sge | lsf | htcondor | kubernetes | address
    address: str | None = None  # a running scheduler (kind "address")
    # the batch schedulers (dask-jobqueue's job options)
    queue: str | None = None
    account: str | None = None
    walltime: str | None = None
    cores: int | None = Field(None, ge=1)
    memory: str | None = None
    processes: int | None = Field(None, ge=1)
    gpus: int = Field(0, ge=0)
    jobs: int | None = Field(None, ge=0)
    adaptive: Adaptive | None = None
    job_extra_directives: list[str] = []
    job_script_prologue: list[str] = []
    worker_extra_args: list[str] = []
    python: str | None = None  # the workers' interpreter (default: this one)
    local_directory: str | None = None
    log_directory: str | None = None
    interface: str | None = None  # the network interface workers reach the scheduler on (ib0 …)
    # local: workers on this machine
    workers: int | None = Field(None, ge=1)
    threads_per_worker: int = Field(1, ge=1)
    # kubernetes (dask-kubernetes' operator)
    image: str | None = None
    namespace: str | None = None
    # how workers get the datasets: on a shared filesystem, shipped once per node, or whichever works
    data: Literal["shared", "ship", "auto"] = "auto"
    data_dir: str | None = None
    retries: int = Field(1, ge=0)  # a task that raised is tried again this many times (a dead worker: Dask's own)
    wait_for_workers_s: float = Field(1800, gt=0)  # how long to wait for a first worker before giving up
    extra: dict[str, Any] = {}

    @property
    def engine(self) -> str:
        return "address" if self.address else self.kind


def parse(cluster: str | None, config_file: Path | None) -> ClusterConfig | None:
    """The cluster to grade on, or None for this machine's process pool (no ``--cluster``,
    no ``DLGRADER_CLUSTER``, no ``--cluster-config``)."""
    cluster = cluster or os.environ.get(ENV) or None
    data: dict[str, Any] = {}
    if config_file is not None:
        data = _read(config_file)
    elif cluster is None:
        return None
    if cluster:
        if "://" in cluster or _looks_like_address(cluster):
            data["address"] = cluster if "://" in cluster else f"tcp://{cluster}"
            data.setdefault("kind", "address")
        elif cluster.lower() in KINDS:
            data["kind"] = cluster.lower()
        else:
            raise UsageError(f"--cluster {cluster!r}: not a scheduler address (tcp://host:8786) nor one of "
                             f"{', '.join(KINDS)}. Fix: give one of those, or a --cluster-config file.")
    if data.get("kind") == "address" and not data.get("address"):
        raise UsageError(f"{config_file}: kind 'address' needs 'address: tcp://host:8786'")
    if data.get("kind", "local") not in (*KINDS, "address"):
        raise UsageError(f"{config_file}: kind {data['kind']!r} is not one of {', '.join(KINDS)} (or 'address')")
    try:
        return ClusterConfig(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        allowed = ", ".join(ClusterConfig.model_fields)
        raise UsageError(f"{config_file or '--cluster'}: '{where}': {err['msg']} (the keys a cluster "
                         f"config may have: {allowed})") from None


def _read(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise UsageError(f"--cluster-config {path}: no such file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"--cluster-config {path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--cluster-config {path}: must be a YAML mapping (key: value pairs)")
    return data


def _looks_like_address(text: str) -> bool:
    host, _, port = text.rpartition(":")
    return bool(host) and port.isdigit()
