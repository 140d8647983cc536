from . import ecrm_personalisation_rule
from . import ecrm_visitor
from . import ecrm_page_view
from . import ecrm_page_view_daily
from . import res_partner
from . import sale_order
from . import website
from . import ir_http
