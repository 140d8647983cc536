from . import jobrunner_leader
from . import rpc_faults
from . import models
from . import wizards


def post_load():
    """Server-wide (scripts/cluster.sh): only the elected queue_job runner of a database runs.

    Only then: a registry loaded later (the master's preload) would patch the runner while
    its thread may already run, and whether a server elects would depend on timing.
    """
    import odoo
    if "ecrm_core" in odoo.conf.server_wide_modules:
        jobrunner_leader.patch_queue_job_runner()
