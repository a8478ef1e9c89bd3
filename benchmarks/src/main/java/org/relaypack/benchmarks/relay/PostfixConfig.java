package org.relaypack.benchmarks.relay;

import java.nio.file.Path;

/** The main.cf and master.cf of the benchmark's Postfix instance (see {@link PostfixProcess}). */
final class PostfixConfig {
    private PostfixConfig() {
    }

    static String mainCf(Path dir, int sinkPort) {
        return "# relaypack benchmark: a Postfix instance of its own, relaying everything from loopback to the sink.\n"
            + "compatibility_level = 3.6\n"
            + "config_directory = " + dir.resolve("conf") + "\n"
            + "queue_directory = " + dir.resolve("queue") + "\n"
            + "data_directory = " + dir.resolve("data") + "\n"
            + "mail_owner = " + PostfixProcess.MAIL_OWNER + "\n"
            + "setgid_group = postdrop\n"
            + "maillog_file_prefixes = " + dir + "\n"
            + "maillog_file = " + dir.resolve("maillog") + "\n"
            + "myhostname = postfix.relaypack.bench\n"
            + "mydomain = relaypack.bench\n"
            + "myorigin = $myhostname\n"
            + "mydestination =\n"
            + "relay_domains =\n"
            + "local_transport = error:local delivery is disabled\n"
            + "alias_maps =\n"
            + "alias_database =\n"
            + "inet_interfaces = 127.0.0.1\n"
            + "inet_protocols = ipv4\n"
            + "mynetworks = 127.0.0.0/8\n"
            + "relayhost = [127.0.0.1]:" + sinkPort + "\n"
            + "smtp_tls_security_level = none\n"
            + "smtpd_tls_security_level = none\n"
            + "biff = no\n";
    }

    /** One smtpd on 127.0.0.1:{@code port}, the services a relay needs, nothing chrooted. */
    static String masterCf(int port) {
        return "# service type private unpriv chroot wakeup maxproc command\n"
            + "127.0.0.1:" + port + " inet n - n - - smtpd\n"
            + "pickup unix n - n 60 1 pickup\n"
            + "cleanup unix n - n - 0 cleanup\n"
            + "qmgr unix n - n 300 1 qmgr\n"
            + "tlsmgr unix - - n 1000? 1 tlsmgr\n"
            + "rewrite unix - - n - - trivial-rewrite\n"
            + "bounce unix - - n - 0 bounce\n"
            + "defer unix - - n - 0 bounce\n"
            + "trace unix - - n - 0 bounce\n"
            + "verify unix - - n - 1 verify\n"
            + "flush unix n - n 1000? 0 flush\n"
            + "proxymap unix - - n - - proxymap\n"
            + "smtp unix - - n - - smtp\n"
            + "relay unix - - n - - smtp\n"
            + "showq unix n - n - - showq\n"
            + "error unix - - n - - error\n"
            + "retry unix - - n - - error\n"
            + "discard unix - - n - - discard\n"
            + "anvil unix - - n - 1 anvil\n"
            + "scache unix - - n - 1 scache\n"
            + "postlog unix-dgram n - n - 1 postlogd\n";
    }
}
