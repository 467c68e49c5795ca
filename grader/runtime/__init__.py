"""What untrusted code runs inside: the sandbox, least privilege (``jail``), resource limits and
their watchdog, tamper evidence before a batch, and the sweep of what killed graders left."""
