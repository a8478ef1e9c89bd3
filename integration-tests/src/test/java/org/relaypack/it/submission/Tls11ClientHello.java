package org.relaypack.it.submission;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;

/**
 * A client that can only speak TLS 1.1: it sends a TLS 1.1 ClientHello by hand and reads the
 * server's first record. Hand-made because this JVM's own TLS stack refuses to offer TLS 1.1 at
 * all (jdk.tls.disabledAlgorithms), which would make the test fail on the client side and prove
 * nothing about the server.
 */
final class Tls11ClientHello {
    static final int HANDSHAKE = 0x16;
    static final int ALERT = 0x15;
    static final int ALERT_PROTOCOL_VERSION = 70;
    static final int ALERT_HANDSHAKE_FAILURE = 40;

    /** The server's first TLS record: content type, and for an alert its description. */
    static final class ServerAnswer {
        final int contentType;
        final int alertDescription;

        ServerAnswer(int contentType, int alertDescription) {
            this.contentType = contentType;
            this.alertDescription = alertDescription;
        }
    }

    /** A ClientHello offering only TLS 1.1 (minor version 2); minor version 3 (TLS 1.2) is the control. */
    static ServerAnswer send(int port, int minorVersion) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(clientHello(minorVersion));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int contentType = in.readUnsignedByte();
            in.readUnsignedShort(); // record version
            int length = in.readUnsignedShort();
            byte[] body = new byte[length];
            in.readFully(body);
            return new ServerAnswer(contentType, contentType == ALERT ? body[1] & 0xFF : -1);
        }
    }

    private static byte[] clientHello(int minorVersion) {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        hello.write(0x03);
        hello.write(minorVersion); // client_version
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        hello.writeBytes(random);
        hello.write(0); // no session id
        int[] suites = {0xC013, 0xC014, 0x002F, 0x0035}; // ECDHE_RSA / RSA with AES_CBC_SHA: TLS 1.1 suites
        hello.write(0);
        hello.write(suites.length * 2);
        for (int suite : suites) {
            hello.write(suite >> 8);
            hello.write(suite & 0xFF);
        }
        hello.write(1);
        hello.write(0); // compression: null
        byte[] extensions = extensions();
        hello.write(extensions.length >> 8);
        hello.write(extensions.length & 0xFF);
        hello.writeBytes(extensions);
        byte[] body = hello.toByteArray();

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(0x01); // ClientHello
        handshake.write(0);
        handshake.write(body.length >> 8);
        handshake.write(body.length & 0xFF);
        handshake.writeBytes(body);
        byte[] message = handshake.toByteArray();

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(HANDSHAKE);
        record.write(0x03);
        record.write(minorVersion);
        record.write(message.length >> 8);
        record.write(message.length & 0xFF);
        record.writeBytes(message);
        return record.toByteArray();
    }

    private static byte[] extensions() {
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        // supported_groups: secp256r1, secp384r1; ec_point_formats: uncompressed (for the ECDHE suites)
        extensions.writeBytes(new byte[] {0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18});
        extensions.writeBytes(new byte[] {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00});
        // signature_algorithms (read only by TLS 1.2, the control): rsa_pkcs1_sha256, rsa_pss_rsae_sha256
        extensions.writeBytes(new byte[] {0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x01, 0x08, 0x04});
        return extensions.toByteArray();
    }

    private Tls11ClientHello() {
    }
}
