#!/usr/bin/env bash
# A private mail server for the tests: Postfix (SMTP in) delivering over LMTP into Dovecot (IMAP out),
# from Debian's packages, as an instance of its own under var/mail/ (config, queue, mailboxes, logs).
#   scripts/mail-server.sh [start]   start what is not running (idempotent)
#   scripts/mail-server.sh stop      stop the instance this script started
#   scripts/mail-server.sh status    what runs, and where
# It listens on 127.0.0.1 only and relays nothing: every domain is local. Mail to @ecrm.test lands
# in the mailbox "catchall" (what Odoo's incoming mail server reads), mail to any other domain (the
# customers Odoo writes to) in the mailbox "customers". Mail to @undeliverable.$ECRM_MAIL_DOMAIN is
# accepted and then bounced hard (5.1.1), as a mailbox provider bounces an address that is gone:
# Postfix returns a delivery status notification to the envelope sender (Odoo's bounce address,
# so into the catchall). IMAP logins: either mailbox, any password being ECRM_MAIL_PASSWORD. The
# system's own Postfix or Dovecot, if any, is left alone.
source "$(dirname "$0")/env.sh"

MAIL="$VAR/mail"
ECRM_MAIL_SMTP_PORT="${ECRM_MAIL_SMTP_PORT:-2525}"
ECRM_MAIL_IMAP_PORT="${ECRM_MAIL_IMAP_PORT:-1143}"
ECRM_MAIL_DOMAIN="${ECRM_MAIL_DOMAIN:-ecrm.test}"
ECRM_MAIL_PASSWORD="${ECRM_MAIL_PASSWORD:-ecrm}"
POSTFIX_CONF="$MAIL/postfix"
DOVECOT_CONF="$MAIL/dovecot/dovecot.conf"
DOVECOT_RUN="$MAIL/run"
LMTP_SOCKET="$DOVECOT_RUN/lmtp"

postfix_running() { postfix -c "$POSTFIX_CONF" status >/dev/null 2>&1; }
dovecot_running() { [ -f "$DOVECOT_RUN/master.pid" ] && kill -0 "$(cat "$DOVECOT_RUN/master.pid")" 2>/dev/null; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_postfix_conf() {
    mkdir -p "$POSTFIX_CONF" "$MAIL/postfix-queue" "$MAIL/postfix-data" "$MAIL/log"
    local domain_re="${ECRM_MAIL_DOMAIN//./\\.}"
    cat > "$POSTFIX_CONF/main.cf" <<CONF
# Rendered by scripts/mail-server.sh; edit that one.
compatibility_level = 3.6
queue_directory = $MAIL/postfix-queue
data_directory = $MAIL/postfix-data
maillog_file = $MAIL/log/postfix.log
maillog_file_prefixes = $MAIL/log
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.$ECRM_MAIL_DOMAIN
mydomain = $ECRM_MAIL_DOMAIN
myorigin = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
biff = no
append_dot_mydomain = no
# Every domain is delivered here, into Dovecot: nothing is ever relayed, and should a
# transport still be asked for, it refuses.
mydestination =
relay_domains =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = static:all
virtual_mailbox_maps = static:ok
virtual_alias_domains =
virtual_alias_maps = regexp:$POSTFIX_CONF/virtual_alias
virtual_transport = lmtp:unix:$LMTP_SOCKET
# ... but for the addresses that are gone: a hard bounce after the mail was accepted (a provider
# whose mailbox is gone), not a refusal in the SMTP dialogue, which is what smtpd would do
transport_maps = regexp:$POSTFIX_CONF/transport
smtpd_reject_unlisted_recipient = no
default_transport = error:this test mail server relays nothing
relay_transport = error:this test mail server relays nothing
local_transport = error:this test mail server relays nothing
CONF
    cat > "$POSTFIX_CONF/virtual_alias" <<CONF
/^customers@$domain_re\$/ customers@$ECRM_MAIL_DOMAIN
/@$domain_re\$/ catchall@$ECRM_MAIL_DOMAIN
if !/@undeliverable\.$domain_re\$/
/./ customers@$ECRM_MAIL_DOMAIN
endif
CONF
    cat > "$POSTFIX_CONF/transport" <<CONF
/@undeliverable\.$domain_re\$/ error:5.1.1 mailbox unavailable (the test server bounces this domain)
CONF
    # The daemons Postfix needs for SMTP in and LMTP out, none chrooted (the paths are ours).
    cat > "$POSTFIX_CONF/master.cf" <<CONF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$ECRM_MAIL_SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
}

write_dovecot_conf() {
    mkdir -p "$(dirname "$DOVECOT_CONF")" "$DOVECOT_RUN" "$MAIL/mailboxes" "$MAIL/state" "$MAIL/log"
    local mail_uid mail_gid
    mail_uid="$(id -u mail)" mail_gid="$(id -g mail)"
    chown "$mail_uid:$mail_gid" "$MAIL/mailboxes"
    cat > "$DOVECOT_CONF" <<CONF
# Rendered by scripts/mail-server.sh; edit that one. Nothing from /etc/dovecot is read.
instance_name = ecrm-test-dovecot
base_dir = $DOVECOT_RUN
state_dir = $MAIL/state
log_path = $MAIL/log/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
# loopback only, test mailboxes: plain-text logins are what the tests use
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = static
  args = password=$ECRM_MAIL_PASSWORD
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$MAIL/mailboxes/%n
}
first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
first_valid_gid = $mail_gid
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $ECRM_MAIL_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {  # $LMTP_SOCKET: relative to base_dir
    mode = 0600
    user = postfix
  }
}
CONF
}

start() {
    [ "$(id -u)" = 0 ] || die "Postfix's master runs as root: run scripts/mail-server.sh as root"
    command -v postfix >/dev/null && command -v dovecot >/dev/null \
        && [ -x /usr/lib/dovecot/lmtp ] && [ -x /usr/lib/dovecot/imap ] \
        || die "Postfix or Dovecot missing: run 'make setup' (apt-get install postfix dovecot-imapd dovecot-lmtpd)"
    if ! dovecot_running; then
        port_taken "$ECRM_MAIL_IMAP_PORT" && die "port $ECRM_MAIL_IMAP_PORT is taken; set ECRM_MAIL_IMAP_PORT"
        write_dovecot_conf
        dovecot -c "$DOVECOT_CONF" || die "Dovecot did not start (log: $MAIL/log/dovecot.log)"
        say "Dovecot started: IMAP on 127.0.0.1:$ECRM_MAIL_IMAP_PORT, LMTP on $LMTP_SOCKET"
    else
        say "Dovecot already running (pid $(cat "$DOVECOT_RUN/master.pid"))"
    fi
    if ! postfix_running; then
        port_taken "$ECRM_MAIL_SMTP_PORT" && die "port $ECRM_MAIL_SMTP_PORT is taken; set ECRM_MAIL_SMTP_PORT"
        write_postfix_conf
        postfix -c "$POSTFIX_CONF" set-permissions >/dev/null 2>&1 || true  # queue directories, owners
        postfix -c "$POSTFIX_CONF" check || die "Postfix refused $POSTFIX_CONF"
        postfix -c "$POSTFIX_CONF" start >/dev/null 2>&1 || die "Postfix did not start (log: $MAIL/log/postfix.log)"
        say "Postfix started: SMTP on 127.0.0.1:$ECRM_MAIL_SMTP_PORT, every domain into Dovecot, no relay"
    else
        say "Postfix already running"
    fi
    local _
    for _ in $(seq 40); do
        port_taken "$ECRM_MAIL_SMTP_PORT" && port_taken "$ECRM_MAIL_IMAP_PORT" && return 0
        sleep 0.25
    done
    die "the mail server does not answer on 127.0.0.1:$ECRM_MAIL_SMTP_PORT / :$ECRM_MAIL_IMAP_PORT (logs: $MAIL/log/)"
}

stop() {
    if [ -f "$POSTFIX_CONF/main.cf" ] && postfix_running; then
        postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
        say "Postfix stopped"
    fi
    if dovecot_running; then
        dovecot -c "$DOVECOT_CONF" stop
        say "Dovecot stopped"
    fi
}

status() {
    if [ -f "$POSTFIX_CONF/main.cf" ] && postfix_running; then
        echo "postfix: running, smtp 127.0.0.1:$ECRM_MAIL_SMTP_PORT (config $POSTFIX_CONF)"
    else
        echo "postfix: stopped"
    fi
    if dovecot_running; then
        echo "dovecot: running, pid $(cat "$DOVECOT_RUN/master.pid"), imap 127.0.0.1:$ECRM_MAIL_IMAP_PORT (config $DOVECOT_CONF)"
    else
        echo "dovecot: stopped"
    fi
    echo "mailboxes: catchall (mail to @$ECRM_MAIL_DOMAIN), customers (any other domain) under $MAIL/mailboxes"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: scripts/mail-server.sh [start|stop|status]" ;;
esac
