package org.relaypack.it.harness;

/** A message that has already passed 51 relays: one Received: header more than the hop limit of 50 (James's and Postfix's default). */
public final class LoopingMail {
    public static final int RELAYS = 51;

    /** The 51 Received: headers, the given headers (each ending in CRLF), the subject "looping" and a body. */
    public static String withHeaders(String headers) {
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < RELAYS; i++) {
            message.append("Received: from r").append(i).append(".example by r").append(i + 1).append(".example; Sat, 28 Nov 2026 11:00:00 +0000\r\n");
        }
        return message.append(headers).append("Subject: looping\r\n\r\nround and round").toString();
    }

    private LoopingMail() {
    }
}
