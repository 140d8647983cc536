from . import test_exchange_processing, test_security
from . import test_intake_jobs
