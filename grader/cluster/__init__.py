"""Grading a class beyond one machine: Dask (``distributed``) on a local cluster, a running
scheduler, the HPC batch schedulers (dask-jobqueue) or Kubernetes (dask-kubernetes)."""
