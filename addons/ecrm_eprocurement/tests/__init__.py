from . import test_exchange_processing, test_security
