package org.relaypack.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QueueChoiceTest {
    @Test
    void theDefaultShouldBeTheDurableActiveMqQueue() {
        assertThat(QueueChoice.DEFAULT).isEqualTo(QueueChoice.ACTIVEMQ);
        assertThat(QueueChoice.DEFAULT.module()).isInstanceOf(ActiveMqQueueModule.class);
    }

    @Test
    void parseShouldReadTheOptionValues() {
        assertThat(QueueChoice.parse("activemq")).isEqualTo(QueueChoice.ACTIVEMQ);
        assertThat(QueueChoice.parse("memory")).isEqualTo(QueueChoice.MEMORY);
    }

    @Test
    void parseShouldNameTheOptionTheValueAndTheChoicesOnAnUnknownValue() {
        assertThatThrownBy(() -> QueueChoice.parse("ActiveMQ"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("--queue: unknown queue 'ActiveMQ'; expected one of activemq|memory");
        assertThatThrownBy(() -> QueueChoice.parse("rabbitmq"))
            .hasMessageContaining("'rabbitmq'");
    }
}
