#!/bin/bash
# WordPress for the load scenario (issue 9), set up non-interactively in the reference image's
# root filesystem $1 (PHP version $2): Debian's `wordpress` package against the local MariaDB,
# served by Apache (mpm_event) + PHP-FPM through proxy_fcgi, with a few hundred posts and comments
# made through WordPress's own PHP API so that pages do real database work.
# Called by base-recipe.sh inside its private mount namespace, with /proc, /sys, /dev, /run and
# /tmp mounted in the root and policy-rc.d in place (no daemon starts by itself): MariaDB is
# started here by hand on a socket only, and stopped before returning.
set -euo pipefail

root=${1:?usage: wordpress-setup.sh ROOTDIR PHPVERSION}
phpver=${2:?usage: wordpress-setup.sh ROOTDIR PHPVERSION}
posts=${WORDPRESS_POSTS:-300}
comments_per_post=${WORDPRESS_COMMENTS:-3}

log() { printf 'wordpress-setup: %s\n' "$*" >&2; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"; }

# --- Apache: mpm_event + PHP-FPM, mod_php installed but not loaded ----------------------------
# libapache2-mod-php's postinst switched Apache to prefork + mod_php; the image serves PHP
# through PHP-FPM (as before this script), so put event back. The load test enables mod_php in a
# guest to measure a prefork child with it.
if [ -e "$root/etc/apache2/mods-enabled/php$phpver.load" ]; then
    in_root a2dismod -q "php$phpver" >&2
fi
if [ -e "$root/etc/apache2/mods-enabled/mpm_prefork.load" ]; then
    in_root a2dismod -q mpm_prefork >&2
fi
in_root a2enmod -q mpm_event proxy_fcgi setenvif >&2
in_root a2enconf -q "php$phpver-fpm" >&2

# The site: the whole server, as Debian's README.Debian "defined virtual host" example (no
# rewrite rules: plain ?p=N links, no .htaccess read).
cat >"$root/etc/apache2/sites-available/wordpress.conf" <<'EOF'
# memprov reference image: WordPress (Debian's package) for the load scenario (issue 9).
<VirtualHost *:80>
	DocumentRoot /usr/share/wordpress
	DirectoryIndex index.php index.html
	Alias /wp-content /var/lib/wordpress/wp-content
	<Directory /usr/share/wordpress>
		Options FollowSymLinks
		AllowOverride None
		Require all granted
	</Directory>
	<Directory /var/lib/wordpress/wp-content>
		Options FollowSymLinks
		AllowOverride None
		Require all granted
	</Directory>
	ErrorLog ${APACHE_LOG_DIR}/error.log
	CustomLog ${APACHE_LOG_DIR}/access.log combined
</VirtualHost>
EOF
in_root a2dissite -q 000-default >&2
in_root a2ensite -q wordpress >&2

# --- WordPress configuration (any Host: name, the load comes through a port forward) ----------
dbpass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
salt() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n'; }
{
    printf '<?php\n// memprov reference image (images/wordpress-setup.sh): any host name, local MariaDB.\n'
    printf "define('DB_NAME', 'wordpress');\ndefine('DB_USER', 'wordpress');\n"
    printf "define('DB_PASSWORD', '%s');\ndefine('DB_HOST', 'localhost');\n" "$dbpass"
    # The site answers on whatever host:port the client used (the host's port forward).
    printf "\$memprov_host = isset(\$_SERVER['HTTP_HOST']) ? \$_SERVER['HTTP_HOST'] : 'localhost';\n"
    printf "define('WP_HOME', 'http://' . \$memprov_host);\ndefine('WP_SITEURL', 'http://' . \$memprov_host);\n"
    # No loopback HTTP from page views (wp-cron) and no outside calls (update checks): the
    # guest has no route out, and the load should measure page rendering only.
    printf "define('DISABLE_WP_CRON', true);\ndefine('WP_HTTP_BLOCK_EXTERNAL', true);\n"
    printf "define('AUTOMATIC_UPDATER_DISABLED', true);\n"
    for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT \
        LOGGED_IN_SALT NONCE_SALT; do
        printf "define('%s', '%s');\n" "$k" "$(salt)"
    done
} >"$root/etc/wordpress/config-default.php"
chmod 0640 "$root/etc/wordpress/config-default.php"
in_root chgrp www-data /etc/wordpress/config-default.php

# --- MariaDB by hand (socket only), the database, the install and the content -----------------
install -d -o "$(stat -c %u "$root/var/lib/mysql")" -g "$(stat -c %g "$root/var/lib/mysql")" \
    "$root/run/mysqld"
log "starting mariadbd in the root"
in_root /usr/sbin/mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock \
    --pid-file=/run/mysqld/mysqld.pid >"$root/tmp/mariadbd.log" 2>&1 &
dbpid=$!
stop_db() {
    in_root mariadb-admin --socket=/run/mysqld/mysqld.sock shutdown 2>/dev/null || kill "$dbpid" 2>/dev/null || true
    wait "$dbpid" 2>/dev/null || true
}
trap stop_db EXIT
for _ in $(seq 120); do
    in_root mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1 && break
    sleep 0.5
done
in_root mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null || {
    cat "$root/tmp/mariadbd.log" >&2
    exit 1
}
in_root mariadb --socket=/run/mysqld/mysqld.sock <<EOF
CREATE DATABASE wordpress CHARACTER SET utf8mb4;
CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '$dbpass';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';
EOF

cat >"$root/tmp/wp-populate.php" <<'EOF'
<?php
// Installs WordPress and writes deterministic content through its own API (wp_install,
// wp_insert_post, wp_insert_comment): POSTS posts in 8 categories, COMMENTS comments each.
$_SERVER['HTTP_HOST'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';
$posts = (int)$argv[1];
$per = (int)$argv[2];
wp_install('memprov load test', 'admin', 'admin@example.invalid', false, '', wp_generate_password(24));
mt_srand(9);
$words = explode(' ', 'memory swap server page cache buffer pool thread process child request ' .
    'latency kernel budget tier apache mariadb php fpm worker queue socket disk table index query ' .
    'row column commit log flush pressure reclaim sample limit peak share virtual private host ' .
    'guest image boot unit service drop config value measure load test step mix feed search post');
function text($words, $n) {
    $s = array();
    for ($i = 0; $i < $n; $i++) $s[] = $words[mt_rand(0, count($words) - 1)];
    return ucfirst(implode(' ', $s)) . '.';
}
$cats = array();
for ($c = 1; $c <= 8; $c++) $cats[] = wp_create_category('Topic ' . $c);
$t0 = strtotime('2024-01-01 00:00:00');
$first = 0;
for ($p = 1; $p <= $posts; $p++) {
    $body = '';
    for ($k = 0; $k < 6; $k++) $body .= "<!-- wp:paragraph -->\n<p>" . text($words, 60) . "</p>\n<!-- /wp:paragraph -->\n\n";
    $id = wp_insert_post(array('post_title' => text($words, 6), 'post_content' => $body,
        'post_status' => 'publish', 'post_author' => 1,
        'post_date' => gmdate('Y-m-d H:i:s', $t0 + $p * 7200),
        'post_category' => array($cats[$p % 8]), 'tags_input' => array($words[$p % 40], $words[($p * 7) % 40])), true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    if (!$first) $first = $id;
    for ($k = 0; $k < $per; $k++) {
        wp_insert_comment(array('comment_post_ID' => $id, 'comment_author' => 'Reader ' . ($k + 1),
            'comment_author_email' => 'reader' . ($k + 1) . '@example.invalid',
            'comment_content' => text($words, 30), 'comment_approved' => 1,
            'comment_date' => gmdate('Y-m-d H:i:s', $t0 + $p * 7200 + ($k + 1) * 600)));
    }
}
// The posts written here have the IDs first..last (nothing else is inserted meanwhile); the
// counts include WordPress's own "Hello world!" post and its comment.
global $wpdb;
printf("posts=%d comments=%d theme=%s min_id=%d max_id=%d\n",
    $wpdb->get_var("SELECT COUNT(*) FROM $wpdb->posts WHERE post_type='post' AND post_status='publish' AND ID BETWEEN $first AND $id"),
    $wpdb->get_var("SELECT COUNT(*) FROM $wpdb->comments WHERE comment_approved='1' AND comment_post_ID BETWEEN $first AND $id"),
    get_option('stylesheet'), $first, $id);
EOF
log "installing WordPress and writing $posts posts x $comments_per_post comments"
summary=$(in_root php -d memory_limit=512M /tmp/wp-populate.php "$posts" "$comments_per_post")
log "$summary"
grep -q "^posts=$posts comments=$((posts * comments_per_post)) theme=twentytwentythree " <<<"$summary" ||
    { log "unexpected content after the install: $summary"; exit 1; }
# The load test reads the range of post IDs here.
printf '%s\n' "$summary" >"$root/etc/wordpress/memprov-load-content"
rm -f "$root/tmp/wp-populate.php" "$root/tmp/mariadbd.log"
stop_db
trap - EXIT
log "done"
