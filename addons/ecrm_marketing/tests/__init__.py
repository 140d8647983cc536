from . import test_campaign_roi
from . import test_segment
from . import test_marketing_security
from . import test_campaign_program
from . import test_program_actions
from . import test_program_triggers
from . import test_bulk_mail
from . import test_campaign_currency_margin
