package org.relaypack.smtphooks;

import java.io.StringReader;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;

final class Xml {
    static XMLConfiguration parse(String xml) {
        try {
            XMLConfiguration configuration = new XMLConfiguration();
            new FileHandler(configuration).load(new StringReader(xml));
            return configuration;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The {@code <handler>} element of a handlerchain, as James hands it to init(). */
    static XMLConfiguration handler(String className, String parameters) {
        return parse("<handler class=\"" + className + "\">" + parameters + "</handler>");
    }

    private Xml() {
    }
}
