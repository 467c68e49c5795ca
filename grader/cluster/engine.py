"""Start or reach the Dask cluster a ``ClusterConfig`` names, and give back a ``Client``.

Nothing here is home-made scheduling: ``local`` is ``distributed.LocalCluster`` (processes,
TCP), the batch schedulers are dask-jobqueue's ``SLURMCluster`` … ``HTCondorCluster`` (each job
starts Dask workers that connect back to a scheduler in this process), ``kubernetes`` is
dask-kubernetes' ``KubeCluster`` and an address is a scheduler someone already runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from grader.cluster.config import JOBQUEUE, ClusterConfig
from grader.model.errors import UsageError


def jobqueue_kwargs(cfg: ClusterConfig) -> dict[str, Any]:
    """dask-jobqueue's job options for ``cfg``: one Dask worker process per GPU (``gpus``), each
    with as many threads as the job's cores give it."""
    cores = cfg.cores or max(1, cfg.gpus or 1)
    processes = cfg.processes or (cfg.gpus if cfg.gpus else 1)
    kw: dict[str, Any] = {
        "cores": cores,
        "processes": processes,
        "memory": cfg.memory or f"{4 * cores}GB",
        "python": cfg.python or sys.executable,
        "job_extra_directives": list(cfg.job_extra_directives),
        "job_script_prologue": list(cfg.job_script_prologue),
        "worker_extra_args": list(cfg.worker_extra_args),
    }
    if cfg.gpus and cfg.kind == "slurm":
        kw["job_extra_directives"].append(f"--gres=gpu:{cfg.gpus}")
    elif cfg.gpus and cfg.kind == "pbs":
        kw["resource_spec"] = f"select=1:ncpus={cores}:ngpus={cfg.gpus}"
    elif cfg.gpus and cfg.kind == "lsf":
        kw["job_extra_directives"].append(f'-gpu "num={cfg.gpus}"')
    elif cfg.gpus and cfg.kind == "htcondor":
        kw["job_extra_directives"] = {"request_gpus": str(cfg.gpus)}  # HTCondor's submit description
    if cfg.kind == "htcondor":
        kw["disk"] = cfg.extra.get("disk", "10GB")
        kw.pop("job_script_prologue")  # HTCondor takes environment, not a prologue
    for key in ("queue", "account", "walltime", "local_directory", "log_directory", "interface"):
        if cfg.kind == "htcondor" and key in ("queue", "account", "walltime"):
            continue  # HTCondor has no queues: requirements go in job_extra_directives
        value = getattr(cfg, key)
        if value is not None:
            kw["project" if key == "account" and cfg.kind in ("sge", "lsf") else key] = value
    kw.update({k: v for k, v in cfg.extra.items() if k != "disk"})
    return kw


def kubernetes_kwargs(cfg: ClusterConfig) -> dict[str, Any]:
    """dask-kubernetes' ``KubeCluster`` options: the image must have dl-grader installed (the same
    version as this client) and bubblewrap; GPUs are requested as ``nvidia.com/gpu``."""
    if not cfg.image:
        raise UsageError("--cluster kubernetes needs 'image:' in --cluster-config: a container image with "
                         "dl-grader installed (see docs/cluster.md)")
    resources: dict[str, Any] = {"limits": {"memory": cfg.memory or "8G", "cpu": str(cfg.cores or 2)},
                                 "requests": {"memory": cfg.memory or "8G", "cpu": str(cfg.cores or 2)}}
    if cfg.gpus:
        resources["limits"]["nvidia.com/gpu"] = str(cfg.gpus)
    kw: dict[str, Any] = {"name": "dl-grader", "image": cfg.image, "n_workers": cfg.jobs or 1,
                          "resources": resources}
    if cfg.namespace:
        kw["namespace"] = cfg.namespace
    kw.update(cfg.extra)
    return kw


@contextmanager
def connect(cfg: ClusterConfig) -> Iterator[Any]:
    """A ``distributed.Client`` on the cluster ``cfg`` names; a cluster started here is closed
    (its jobs cancelled) when the block ends."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("grading on a cluster needs Dask's distributed: pip install 'dl-grader[cluster]'") from None
    cluster: Any = None
    if cfg.engine == "address":
        client = Client(cfg.address, timeout="60s")
    else:
        cluster = _start(cfg)
        if cfg.adaptive is not None:
            if cfg.kind in JOBQUEUE:
                cluster.adapt(minimum_jobs=cfg.adaptive.minimum, maximum_jobs=cfg.adaptive.maximum)
            else:
                cluster.adapt(minimum=cfg.adaptive.minimum, maximum=cfg.adaptive.maximum)
        elif cfg.kind in JOBQUEUE:
            cluster.scale(jobs=cfg.jobs if cfg.jobs is not None else 1)
        client = Client(cluster)
    try:
        yield client
    finally:
        try:
            client.close()
        finally:
            if cluster is not None:
                cluster.close()


def _start(cfg: ClusterConfig) -> Any:
    if cfg.kind == "local":
        from distributed import LocalCluster

        n = cfg.workers or cfg.jobs or 2
        return LocalCluster(n_workers=n, threads_per_worker=cfg.threads_per_worker, processes=True,
                            protocol="tcp://", dashboard_address=None,
                            silence_logs=logging.ERROR, **cfg.extra)
    if cfg.kind in JOBQUEUE:
        try:
            import dask_jobqueue
        except ImportError:
            raise UsageError(f"--cluster {cfg.kind} needs dask-jobqueue: pip install 'dl-grader[cluster]'") from None
        return getattr(dask_jobqueue, JOBQUEUE[cfg.kind])(**jobqueue_kwargs(cfg))
    if cfg.kind == "kubernetes":
        try:
            from dask_kubernetes.operator import KubeCluster
        except ImportError:
            raise UsageError("--cluster kubernetes needs dask-kubernetes: pip install 'dl-grader[kubernetes]'") from None
        return KubeCluster(**kubernetes_kwargs(cfg))
    raise UsageError(f"unknown cluster kind {cfg.kind!r}")
