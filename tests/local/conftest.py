"""Shared fixtures for the local speech tests: one synthesizer per voice, the loaded whisper model, an agent's prompt."""

from __future__ import annotations

import pytest

from realtime_cli.local.asr import Recognizer, build_prompt, shared_recognizer
from realtime_cli.local.tts import Synthesizer

# What a customer-service agent session would hand the recognizer: instructions, tool and handoff names with
# their descriptions, enum values, and the example requests the agent is written for.
AGENT_PHRASES = [
    "You are a friendly customer service agent for Acme Telecom.",
    "Help customers with billing questions and technical problems, and keep answers short.",
    "Transfer the caller to the billing agent for invoices, refunds and payments.",
    "Transfer the caller to technical support for internet, router and outage problems.",
    "transfer_to_billing_agent: Hand the conversation to the billing specialist.",
    "transfer_to_technical_support: Hand the conversation to a support engineer.",
    "get_weather: Get the current weather for a city.",
    "city: The name of the city. unit: celsius or fahrenheit",
    "book_appointment: Book a service appointment with a technician on a given day and time.",
    "day: monday, tuesday, wednesday, thursday, friday. time: morning or afternoon",
    "What is the weather in Boston?",
    "I want to book an appointment on Friday morning.",
    "Please transfer me to billing.",
    "My internet is not working since yesterday.",
    "I was charged twice on my last bill.",
    "Can I get a refund for last month?",
    "I need technical support for my router.",
    "Is there an outage in my area?",
    "What is the weather in Seattle in celsius?",
    "Thank you very much, goodbye.",
]


@pytest.fixture(scope="session")
def recognizer() -> Recognizer:
    """The one whisper model of the test process (the bundled, hash-checked tiny.en unless the env names another)."""
    return shared_recognizer()


@pytest.fixture(scope="session")
def agent_prompt() -> str:
    return build_prompt(AGENT_PHRASES)


@pytest.fixture(scope="session")
def alloy() -> Synthesizer:
    return Synthesizer("alloy")
