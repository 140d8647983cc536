# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_partner, ecrm_trading_partner, ecrm_trading_partner_product, ecrm_exchange, sale_order
