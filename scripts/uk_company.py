# Run inside `odoo shell`: make the main company a British SME before accounting installs.
company = env.ref('base.main_company')
company.write({
    'country_id': env.ref('base.uk').id,
    'currency_id': env.ref('base.GBP').id,
})
env.ref('base.GBP').active = True
env['res.users'].search([]).write({'lang': 'en_GB', 'tz': 'Europe/London'})
company.partner_id.write({'lang': 'en_GB', 'tz': 'Europe/London'})
env['ir.default'].set('res.partner', 'lang', 'en_GB')
env.cr.commit()
