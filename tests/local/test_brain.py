"""The local intent brain: tool and handoff choice, argument filling, follow-ups, tool outputs and small talk."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtime_cli.local.brain import Brain, BrainContext, Call, Say, Turn
from realtime_cli.local.brain_text import parse_number, stem, tokenize, word_list
from realtime_cli.local.brain_when import find_date, find_time
from realtime_cli.protocol.signals import format_rejected, format_tool_error
from support.brain_sessions import CONFIGS, session_of

TODAY = date(2025, 3, 10)  # a Monday


def _tool(name: str, description: str, props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "function", "name": name, "description": description,
        "parameters": {"type": "object", "properties": props, "required": list(props) if required is None else required},
    }


WEATHER = _tool("get_weather", "Get the current weather for a city.", {"city": {"type": "string", "description": "The city name"}})
BOOKING = _tool(
    "book_appointment", "Book an appointment.",
    {"date": {"type": "string"}, "time": {"type": "string"}, "service": {"type": "string"}},
)
BILLING = _tool(
    "transfer_to_billing_support",
    "Handoff to the Billing Support agent to handle the request. Handles invoices and refunds.", {},
)
TECH = _tool("transfer_to_technical_support", "Transfer to technical support", {})
THERMOSTAT = _tool(
    "set_thermostat", "Set the thermostat.",
    {"temperature": {"type": "integer"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
)
SONG = _tool("play_song", "Play a song.", {"title": {"type": "string"}})
ASSISTANT = [WEATHER, BOOKING]
SUPPORT = [BILLING, TECH]
HOME = [THERMOSTAT, SONG]
# the brain meets the demo as the engine does: the specs a session builds from the YAML and its tool docstrings
DEMO_SERVICE = session_of(CONFIGS / "support.yaml", "customer_service")[1]
DEMO_BILLING = session_of(CONFIGS / "support.yaml", "billing")[1]
DEMO_TECH = session_of(CONFIGS / "support.yaml", "technical")[1]
LOOKUP_ORDER, _, TO_BILLING, _ = DEMO_SERVICE
TO_CUSTOMER_SERVICE = DEMO_BILLING[-1]
DEMO_ASSISTANT = session_of(CONFIGS / "assistant.yaml")[1]


def reply(tools: list[dict[str, Any]], *turns: Turn | str, choice: str | dict[str, Any] = "auto",
          instructions: str = "You are a friendly assistant for Acme.") -> Say | Call:
    conversation = [Turn("user", t) if isinstance(t, str) else t for t in turns]
    return Brain(today=TODAY).respond(BrainContext(instructions, tools, choice, conversation))


def call_args(result: Say | Call, name: str) -> dict[str, Any]:
    assert isinstance(result, Call), result
    assert result.name == name
    parsed: dict[str, Any] = json.loads(result.arguments)
    return parsed


def said(result: Say | Call) -> str:
    assert isinstance(result, Say), result
    return result.text


# --- tool selection -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "city"), [
    ("what's the weather in new york today", "New York"),
    ("What's the weather like in Paris?", "Paris"),
    ("weather for tokyo tomorrow", "Tokyo"),
    ("paris weather please", "Paris"),
])
def test_weather_requests_call_get_weather_with_the_city(text: str, city: str) -> None:
    assert call_args(reply(ASSISTANT, text), "get_weather") == {"city": city}


@pytest.mark.parametrize(("text", "city"), [
    ("what's the forecast in san francisco", "San Francisco"),
    ("is it raining in london", "London"),
])
def test_paraphrases_the_tool_never_names_are_taught_by_its_examples(text: str, city: str) -> None:
    assert isinstance(reply(ASSISTANT, text), Say)  # the lexicon knows no weather words
    taught = dict(WEATHER, description=WEATHER["description"] + ' Examples: "is it raining in Lima"; "the forecast for Rome".')
    assert call_args(reply([taught, BOOKING], text), "get_weather") == {"city": city}


def test_booking_request_fills_date_time_and_service() -> None:
    args = call_args(reply(ASSISTANT, "book a haircut tomorrow at 3 pm"), "book_appointment")
    assert args == {"date": "2025-03-11", "time": "15:00", "service": "haircut"}


def test_spoken_booking_with_month_day_and_spoken_meridiem() -> None:
    text = "i want to schedule an appointment on march twenty first at ten thirty a m for a massage"
    args = call_args(reply(ASSISTANT, text), "book_appointment")
    assert args == {"date": "2025-03-21", "time": "10:30", "service": "massage"}


@pytest.mark.parametrize(("text", "handoff"), [
    ("i was charged twice", "transfer_to_billing_support"),
    ("i have a question about my invoice", "transfer_to_billing_support"),
    ("i want a refund", "transfer_to_billing_support"),
    ("my internet is down", "transfer_to_technical_support"),
    ("i can't log in", "transfer_to_technical_support"),
    ("the app keeps crashing with an error", "transfer_to_technical_support"),
    ("transfer me to technical support", "transfer_to_technical_support"),
    ("i want to talk to a person", "transfer_to_billing_support"),  # a tie goes to the first declared
])
def test_customer_service_requests_pick_the_right_handoff(text: str, handoff: str) -> None:
    assert call_args(reply(DEMO_SERVICE, text), handoff) == {}


def test_custom_config_thermostat_with_number_words_and_enum() -> None:
    args = call_args(reply(HOME, "set the thermostat to twenty two degrees celsius"), "set_thermostat")
    assert args == {"temperature": 22, "unit": "celsius"}
    assert call_args(reply(HOME, "make it 72 fahrenheit"), "set_thermostat") == {"temperature": 72, "unit": "fahrenheit"}


@pytest.mark.parametrize(("text", "title"), [
    ("play bohemian rhapsody by queen please", "bohemian rhapsody by queen"),
    ('play "Yesterday"', "Yesterday"),
    ("play the song yesterday", "yesterday"),
    ("Play Hotel California", "Hotel California"),
])
def test_custom_config_song_title_is_the_rest_of_the_sentence(text: str, title: str) -> None:
    assert call_args(reply(HOME, text), "play_song") == {"title": title}


@pytest.mark.parametrize("text", [
    "hello", "hi there", "how are you", "nice to meet you", "thanks a lot", "goodbye", "i'm fine", "sounds good",
    "cool", "what time is it", "tell me a joke", "okay", "my name is sarah", "that works for me", "never mind",
])
@pytest.mark.parametrize("tools", [ASSISTANT, SUPPORT, HOME], ids=["assistant", "support", "home"])
def test_chit_chat_never_calls_a_tool(text: str, tools: list[dict[str, Any]]) -> None:
    result = reply(tools, text)
    assert isinstance(result, Say)
    assert "?" not in result.text or "help" in result.text.lower() or "do" in result.text.lower()


def test_other_tool_types_and_unnamed_specs_are_ignored() -> None:
    tools = [{"type": "file_search"}, {"type": "function", "description": "no name"}, WEATHER]
    assert call_args(reply(tools, "weather in rome"), "get_weather") == {"city": "Rome"}


# --- argument filling -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("today", "2025-03-10"), ("this evening", "2025-03-10"), ("tomorrow", "2025-03-11"),
    ("the day after tomorrow", "2025-03-12"),
    ("on friday", "2025-03-14"), ("next monday", "2025-03-17"), ("monday", "2025-03-17"),
    ("March 3rd", "2026-03-03"), ("march twenty first", "2025-03-21"), ("the 3rd of april", "2025-04-03"),
    ("3/14", "2025-03-14"), ("14/3", "2025-03-14"), ("2025-12-25", "2025-12-25"), ("in two weeks", "2025-03-24"),
    ("the 14th", "2025-03-14"), ("the 5th", "2025-04-05"), ("june 1 2027", "2027-06-01"),
])
def test_dates_resolve_against_the_injected_today(text: str, expected: str) -> None:
    found = find_date(tokenize(text), TODAY)
    assert found is not None and found[0].isoformat() == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3 pm", "15:00"), ("3pm", "15:00"), ("at 3 p.m.", "15:00"), ("15:30", "15:30"), ("noon", "12:00"),
    ("midnight", "00:00"), ("at ten thirty a m", "10:30"), ("three p m", "15:00"), ("at three", "15:00"),
    ("9 am", "09:00"), ("half past two", "14:30"), ("quarter to five pm", "16:45"), ("seven o'clock", "07:00"),
    ("twelve oh five pm", "12:05"), ("12 am", "00:00"), ("in the morning", "09:00"),
])
def test_times_become_24_hour_clock(text: str, expected: str) -> None:
    found = find_time(tokenize(text))
    assert found is not None and found[0] == expected


@pytest.mark.parametrize(("text", "value"), [
    ("22", 22.0), ("twenty two", 22.0), ("a hundred and five", 105.0), ("one thousand two hundred", 1200.0),
    ("seventy", 70.0), ("twenty two point five", 22.5), ("3.5", 3.5),
])
def test_number_words_and_digits(text: str, value: float) -> None:
    parsed = parse_number(tokenize(text), 0)
    assert parsed is not None and parsed[0] == value


def test_stemming_lite_strips_plurals_and_endings() -> None:
    assert stem("booking") == stem("books") == stem("booked") == "book"
    assert stem("charges") == stem("charged") == stem("charge")
    assert stem("billing") == "bill"


def test_numbers_near_their_parameter_name_win_and_bounds_are_respected() -> None:
    tool = _tool(
        "reserve_table", "Reserve a table at the restaurant.",
        {"party_size": {"type": "integer", "minimum": 1, "maximum": 20}, "time": {"type": "string"}},
    )
    args = call_args(reply([tool], "reserve a table at 7 pm, party size four"), "reserve_table")
    assert args == {"party_size": 4, "time": "19:00"}
    assert said(reply([tool], "reserve a table for 50 people at 7 pm")).startswith("What party size")


def test_booleans_enums_and_optional_parameters() -> None:
    tool = _tool(
        "send_message", "Send a text message to a contact.",
        {
            "recipient": {"type": "string"}, "urgent": {"type": "boolean"},
            "channel": {"type": "string", "enum": ["sms", "email", "whats_app"]},
        },
        required=["recipient"],
    )
    args = call_args(reply([tool], "send an urgent email to John Smith"), "send_message")
    assert args == {"recipient": "John Smith", "urgent": True, "channel": "email"}
    assert call_args(reply([tool], "text mom"), "send_message") == {"recipient": "Mom"}


def test_origin_and_destination_follow_their_prepositions() -> None:
    tool = _tool("book_flight", "Book a flight.", {"origin": {"type": "string"}, "destination": {"type": "string"}})
    args = call_args(reply([tool], "book a flight from boston to san diego"), "book_flight")
    assert args == {"origin": "Boston", "destination": "San Diego"}


# --- follow-up questions --------------------------------------------------------------------------------------------

def test_missing_city_asks_and_the_answer_completes_the_call() -> None:
    question = said(reply(ASSISTANT, "what's the weather"))
    assert question == "Which city would you like the weather for?"
    done = reply(ASSISTANT, "what's the weather", Turn("assistant", question), "tokyo")
    assert call_args(done, "get_weather") == {"city": "Tokyo"}


def test_several_missing_arguments_are_asked_one_at_a_time() -> None:
    turns: list[Turn | str] = ["i'd like to book an appointment"]
    asked = []
    for answer in ["friday", "three", "a haircut"]:
        question = said(reply(ASSISTANT, *turns))
        asked.append(question)
        turns += [Turn("assistant", question), answer]
    assert asked == [
        "What day would you like the appointment for?",
        "What time would you like the appointment for?",
        "What service would you like for the appointment?",
    ]
    assert call_args(reply(ASSISTANT, *turns), "book_appointment") == {
        "date": "2025-03-14", "time": "15:00", "service": "haircut",
    }


def test_enum_follow_up_lists_the_options() -> None:
    question = said(reply(HOME, "set the thermostat to 20"))
    assert question == "Which unit would you like for the thermostat: celsius or fahrenheit?"
    done = reply(HOME, "set the thermostat to 20", Turn("assistant", question), "celsius please")
    assert call_args(done, "set_thermostat") == {"temperature": 20, "unit": "celsius"}


def test_a_new_intent_or_never_mind_replaces_the_pending_question() -> None:
    question = said(reply(ASSISTANT, "what's the weather"))
    switched = reply(ASSISTANT, "what's the weather", Turn("assistant", question), "book a massage tomorrow at noon")
    assert call_args(switched, "book_appointment") == {"date": "2025-03-11", "time": "12:00", "service": "massage"}
    dropped = reply(ASSISTANT, "what's the weather", Turn("assistant", question), "never mind")
    assert "never mind" in said(dropped).lower()


# --- the shipped support demo (configs/support.yaml) ------------------------------------------------------------



@pytest.mark.parametrize(("text", "issue"), [
    ("Give me troubleshooting steps for my wifi", "wifi"),
    ("I need help with my audio", "audio"),
    ("my login is broken", "login"),
    ("my battery drains fast", "battery"),
    ("wifi", "wifi"),
])
def test_example_values_in_a_parameter_description_fill_it(text: str, issue: str) -> None:
    assert call_args(reply(DEMO_TECH, text), "troubleshooting_steps") == {"issue": issue}


def test_a_value_after_for_my_fills_a_lone_required_string() -> None:
    tool = _tool("troubleshoot", "Troubleshoot a technical problem.", {"device": {"type": "string"}})
    assert call_args(reply([tool], "troubleshoot the connection for my printer"), "troubleshoot") == {
        "device": "printer",
    }
    assert call_args(reply([tool], "troubleshoot the problem with my router"), "troubleshoot") == {"device": "router"}


def test_the_answer_to_our_question_fills_the_parameter_even_when_it_is_an_intent_word() -> None:
    question = said(reply(DEMO_TECH, "I need troubleshooting steps"))
    assert question == "What issue would you like for the troubleshooting steps?"
    done = reply(DEMO_TECH, "I need troubleshooting steps", Turn("assistant", question), "wifi")
    assert call_args(done, "troubleshooting_steps") == {"issue": "wifi"}
    plain = _tool("troubleshoot", "Troubleshoot a technical problem.", {"problem": {"type": "string"}})
    question = said(reply([plain], "troubleshoot"))
    done = reply([plain], "troubleshoot", Turn("assistant", question), "internet connection")
    assert call_args(done, "troubleshoot") == {"problem": "internet connection"}


@pytest.mark.parametrize("text", [
    "my wifi keeps dropping, transfer me to technical support",
    "transfer me to technical support",
    "can you transfer me to tech support about my invoice",
    "I need technical support",
])
def test_a_transfer_to_an_agent_that_is_not_here_goes_to_the_available_handoff(text: str) -> None:
    assert call_args(reply(DEMO_BILLING, text), "transfer_to_customer_service") == {}


def test_a_transfer_named_tool_keeps_its_turn_and_goodbyes_stay_small_talk() -> None:
    money = _tool("transfer_money", "Transfer money between accounts.", {"amount": {"type": "number"}})
    assert call_args(reply([money, TO_CUSTOMER_SERVICE], "transfer 50 to my savings"), "transfer_money") == {
        "amount": 50,
    }
    assert isinstance(reply(DEMO_BILLING, "talk to you later"), Say)


@pytest.mark.parametrize(("text", "order_id"), [
    ("refund order 1002", "1002"),
    ("please refund order A-17", "A-17"),
    ("refund order #1003 because it broke", "1003"),
    ("I want a refund for order one thousand and one", "1001"),
])
def test_order_ids_take_code_looking_values(text: str, order_id: str) -> None:
    assert call_args(reply(DEMO_BILLING, text), "issue_refund")["order_id"] == order_id


@pytest.mark.parametrize("text", ["I need a refund for support", "refund my order", "issue a refund please"])
def test_an_order_id_is_never_a_plain_word_so_the_brain_asks(text: str) -> None:
    question = said(reply(DEMO_BILLING, text))
    assert question == "What is the order number for the refund?"
    again = reply(DEMO_BILLING, text, Turn("assistant", question), "support")
    assert said(again) == question
    done = reply(DEMO_BILLING, text, Turn("assistant", question), "it's 1003")
    assert call_args(done, "issue_refund") == {"order_id": "1003"}


@pytest.mark.parametrize(("text", "name"), [
    ("I have a question about my invoice", "transfer_to_billing_support"),
    ("i have a question about my invoice", "transfer_to_billing_support"),
    ("My wifi keeps dropping, I need technical support", "transfer_to_technical_support"),
    ("Thanks. Please transfer me to billing support", "transfer_to_billing_support"),
])
def test_customer_service_in_the_demo_hands_off(text: str, name: str) -> None:
    assert call_args(reply(DEMO_SERVICE, text), name) == {}


@pytest.mark.parametrize(("tools", "text", "name", "arguments"), [
    (DEMO_SERVICE, "I want a refund for order 1003", "transfer_to_billing_support", {}),  # the topic, not the id
    (DEMO_SERVICE, "the app won't let me log in", "transfer_to_technical_support", {}),
    (DEMO_TECH, "the app won't let me log in", "troubleshooting_steps", {"issue": "login"}),  # "log in" is "login"
    (DEMO_ASSISTANT, "I'd like to get my hair cut friday at 10", "book_appointment",
     {"date": "2025-03-14", "time": "10:00", "service": "haircut"}),
    (DEMO_ASSISTANT, "will it rain in tokyo tomorrow", "get_weather", {"city": "Tokyo"}),  # taught by examples:
    (DEMO_ASSISTANT, "is it going to rain in Cairo on friday", "get_weather", {"city": "Cairo"}),
])
def test_the_shipped_demos_through_their_session_words(
    tools: list[dict[str, Any]], text: str, name: str, arguments: dict[str, Any]
) -> None:
    assert call_args(reply(tools, text), name) == arguments


def test_a_name_is_said_without_its_role_noun_or_possessive() -> None:
    reset = _tool("reset_account", "Reset a user's account.", {"username": {"type": "string"}})
    assert call_args(reply([reset], "reset the account for user alice"), "reset_account") == {"username": "Alice"}
    assert call_args(reply([reset], "please reset alice's account"), "reset_account") == {"username": "Alice"}


def test_customer_service_in_the_demo_uses_its_own_tools() -> None:
    assert call_args(reply(DEMO_SERVICE, "Where is my order 1001?"), "lookup_order") == {"order_id": "1001"}
    assert call_args(reply(DEMO_SERVICE, "is the website down"), "service_status") == {"service": "website"}
    assert call_args(reply(DEMO_BILLING, "Please send me the invoice for order 1002"), "get_invoice") == {
        "order_id": "1002",
    }


# --- answering from tool outputs ------------------------------------------------------------------------------------

def after_output(name: str, output: str, instructions: str = "You are a helpful assistant.") -> str:
    turns = [
        Turn("user", "go"), Turn("assistant", call_name=name, call_arguments="{}", call_id="call_1"),
        Turn("tool", call_id="call_1", output=output),
    ]
    return said(reply(ASSISTANT + SUPPORT, *turns, instructions=instructions))


def test_plain_text_output_is_spoken() -> None:
    assert after_output("get_weather", "The weather in Paris is sunny") == "The weather in Paris is sunny."


@pytest.mark.parametrize("output", ["I could not find order 1005, please check the number.",
                                    "Unable to locate that parcel; it failed to scan at the depot.",
                                    "Tool execution was not approved."])
def test_a_tool_reporting_a_miss_is_read_back_not_taken_for_an_error(output: str) -> None:
    assert after_output("get_weather", output) == output


def test_json_output_becomes_a_sentence() -> None:
    text = after_output("get_weather", '{"city": "Paris", "temperature": 21, "conditions": "sunny"}')
    assert text == "Here's what I found: city is Paris, temperature is 21 and conditions are sunny."
    assert after_output("get_weather", '{"message": "It is 21 degrees."}') == "It is 21 degrees."
    assert after_output("get_weather", '[{"name": "Paris"}, {"name": "Lyon"}]') == "I found 2 results: Paris and Lyon."


def test_handoff_output_introduces_the_new_agent() -> None:
    text = after_output("transfer_to_billing_support", '{"assistant": "Billing Support"}')
    assert text == "You're now talking to Billing Support. How can I help with your billing questions?"
    with_instructions = after_output(
        "transfer_to_billing_support", '{"assistant": "Billing Agent"}',
        "You are the billing agent. Help customers with invoices, refunds and payments.",
    )
    assert with_instructions == "You're now talking to Billing Agent. How can I help with invoices, refunds and payments?"


@pytest.mark.parametrize("output", [format_rejected("get_weather"), '{"status": "denied"}'])
def test_rejected_output_apologizes(output: str) -> None:
    assert after_output("get_weather", output) == "Sorry, I couldn't complete your weather request because it was rejected."


@pytest.mark.parametrize("output", [format_tool_error("get_weather", "boom"), '{"error": "no city"}',
                                    "Invalid arguments for tool get_weather: city is required"])
def test_error_output_apologizes(output: str) -> None:
    assert "error occurred" in after_output("get_weather", output)
    assert after_output("get_weather", output).startswith("Sorry")


# --- small talk -----------------------------------------------------------------------------------------------------

def test_greeting_names_what_the_agent_can_do() -> None:
    text = said(reply(ASSISTANT, "hello"))
    assert text.startswith("Hello!") and "weather" in text and "appointment" in text
    assert said(reply(ASSISTANT, "how are you")).startswith("I'm doing well")
    assert said(reply(ASSISTANT)).startswith("Hello!")  # an empty conversation gets a greeting


def test_capabilities_list_tools_and_handoffs_in_plain_words() -> None:
    assert "get the current weather for a city or book an appointment" in said(reply(ASSISTANT, "what can you do"))
    support = said(reply(SUPPORT, "what can you help me with"))
    assert "transfer you to billing support or technical support" in support
    assert "set the thermostat or play a song" in said(reply(HOME, "what can you do?"))


def test_thanks_bye_and_fallback() -> None:
    assert said(reply(ASSISTANT, "thank you")).startswith("You're welcome")
    assert said(reply(ASSISTANT, "ok bye")).startswith("Goodbye")
    fallback = said(reply(ASSISTANT, "tell me a joke"))
    assert fallback.startswith("Sorry") and "weather" in fallback
    assert said(reply([], "tell me a joke")).startswith("Sorry")


def test_guardrail_message_is_a_neutral_apology_that_repeats_nothing() -> None:
    text = said(reply(ASSISTANT, "guardrail triggered: do not say banana"))
    assert "banana" not in text.lower() and text.startswith("Sorry")


@pytest.mark.parametrize("text", ["tell me a long story", "explain in detail", "give me a long answer"])
@pytest.mark.parametrize("tools", [ASSISTANT, []], ids=["tools", "none"])
def test_long_answers_are_long_and_plain(text: str, tools: list[dict[str, Any]]) -> None:
    answer = said(reply(tools, text))
    assert len(answer) >= 400 and answer.count(".") >= 4
    assert not set("*#`_") & set(answer)


def test_replies_are_short_and_markdown_free() -> None:
    for text in ["hello", "what can you do", "thanks", "tell me a joke"]:
        answer = said(reply(ASSISTANT + SUPPORT, text))
        assert len(answer) < 300 and not set("*#`") & set(answer)


# --- tool_choice ----------------------------------------------------------------------------------------------------

def test_tool_choice_none_never_calls() -> None:
    assert isinstance(reply(ASSISTANT, "what's the weather in paris", choice="none"), Say)


def test_tool_choice_required_calls_the_best_even_below_threshold() -> None:
    assert call_args(reply(ASSISTANT, "hello", choice="required"), "get_weather") == {"city": ""}
    args = call_args(reply(ASSISTANT, "book something", choice="required"), "book_appointment")
    assert set(args) == {"date", "time", "service"}


def test_named_tool_choice_is_always_called() -> None:
    named = {"type": "function", "name": "book_appointment"}
    args = call_args(reply(ASSISTANT, "weather in paris", choice=named), "book_appointment")
    assert set(args) == {"date", "time", "service"}
    assert call_args(reply(HOME, "hi", choice={"type": "function", "name": "set_thermostat"}), "set_thermostat") == {
        "temperature": 0, "unit": "celsius",
    }


# --- determinism and robustness -------------------------------------------------------------------------------------

def test_same_input_same_output() -> None:
    for text in ["book a haircut tomorrow at 3 pm", "hello", "tell me a long story", "i was charged twice"]:
        assert reply(ASSISTANT + SUPPORT, text) == reply(ASSISTANT + SUPPORT, text)


def test_default_today_is_the_real_today() -> None:
    assert Brain().today == date.today()
    assert Brain(today=TODAY).today == TODAY


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), pick=st.integers(0, 4), choice=st.sampled_from(["auto", "required", "none"]))
def test_arbitrary_text_never_raises_and_calls_are_valid(text: str, pick: int, choice: str) -> None:
    tools = [ASSISTANT + SUPPORT, HOME, [WEATHER, THERMOSTAT, SONG], DEMO_BILLING, [*DEMO_TECH, LOOKUP_ORDER, TO_BILLING]][pick]
    result = reply(tools, text, choice=choice)
    assert isinstance(result, (Say, Call))
    if isinstance(result, Call):
        spec = next(t for t in tools if t["name"] == result.name)
        args = json.loads(result.arguments)
        assert isinstance(args, dict) and set(spec["parameters"]["required"]) <= set(args)
        assert set(args) <= set(spec["parameters"]["properties"])
    else:
        assert result.text


DOMAIN_WORDS = word_list(
    "book weather paris tomorrow at three pm the in for march 3rd twenty two celsius play song transfer bill "
    "internet hello thanks 15:30 3/14 quarter past half to oh o'clock a m p next friday hundred and thousand"
)


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(DOMAIN_WORDS), max_size=12))
def test_word_salad_from_the_domain_never_raises(words: list[str]) -> None:
    text = " ".join(words)
    first = reply(ASSISTANT + SUPPORT + HOME, text)
    assert first == reply(ASSISTANT + SUPPORT + HOME, text)
    question = Turn("assistant", "Which city would you like the weather for?")
    assert isinstance(reply(ASSISTANT, "weather", question, text), (Say, Call))


TROUBLESHOOT = _tool("troubleshooting_steps", "Step-by-step troubleshooting for a problem.",
                     {"issue": {"type": "string", "description": "The kind of problem: wifi, login, audio or battery."}})
REFUND = _tool("issue_refund", "Refund an order in full.",
               {"order_id": {"type": "string", "description": "The order number, for example 1001."}})
BACK = _tool("transfer_to_customer_service", "Transfer to customer service", {})


def _after_handoff(request: str, handoff: str, agent: str, tools: list[dict[str, Any]]) -> Say | Call:
    return reply(tools, request, Turn("assistant", call_name=handoff, call_arguments="{}", call_id="c1"),
                 Turn("tool", call_id="c1", output=json.dumps({"assistant": agent})))


def test_after_a_handoff_the_new_agent_takes_up_the_request() -> None:
    result = _after_handoff("My wifi keeps dropping, I need technical support", "transfer_to_technical_support",
                            "Technical Support", [TROUBLESHOOT, BACK])
    assert call_args(result, "troubleshooting_steps") == {"issue": "wifi"}


def test_after_a_handoff_a_missing_argument_is_asked_for_and_the_answer_completes_it() -> None:
    result = _after_handoff("I would like a refund please", "transfer_to_billing_support", "Billing Support",
                            [REFUND, BACK])
    text = said(result)
    assert text.startswith("You're now talking to Billing Support. ") and text.endswith("?")
    follow = reply([REFUND, BACK], "I would like a refund please",
                   Turn("assistant", call_name="transfer_to_billing_support", call_arguments="{}", call_id="c1"),
                   Turn("tool", call_id="c1", output=json.dumps({"assistant": "Billing Support"})),
                   Turn("assistant", text), "order 1003")
    assert call_args(follow, "issue_refund") == {"order_id": "1003"}


def test_a_plain_transfer_request_only_introduces_the_new_agent() -> None:
    result = _after_handoff("transfer me to technical support", "transfer_to_technical_support",
                            "Technical Support", [TROUBLESHOOT, BACK])
    assert said(result).startswith("You're now talking to Technical Support.")


def test_the_action_asked_for_beats_an_object_merely_mentioned() -> None:
    invoice = _tool("get_invoice", "Get the invoice number, amount and payment state for an order.",
                    {"order_id": {"type": "string", "description": "The order number, for example 1002."}})
    assert call_args(reply([invoice, REFUND], "I want a refund for my last invoice, order 1003"),
                     "issue_refund") == {"order_id": "1003"}
    assert call_args(reply([invoice, REFUND], "send me the invoice for order 1002"), "get_invoice") == {
        "order_id": "1002"}


WELCOME = "Hello, this is ABC customer service. How can I help you today?"


@pytest.mark.parametrize("own", [
    f"Say exactly '{WELCOME}' now before continuing the conversation.",
    f'say exactly: "{WELCOME}"',
    f"Please say verbatim \u201c{WELCOME}\u201d and nothing else.",
])
def test_a_response_told_to_say_a_line_exactly_says_it_word_for_word(own: str) -> None:
    conversation = [Turn("user", "where is my order 1003")]  # even with a request waiting
    ctx = BrainContext(instructions=own, tools=[], conversation=conversation, response_instructions=own)
    assert Brain().respond(ctx) == Say(WELCOME)


def test_the_opening_line_of_the_instructions_starts_an_empty_conversation_only() -> None:
    instructions = (f"Always begin the call by saying exactly: '{WELCOME}' before collecting details, "
                    "then hand off when needed.")
    assert Brain().respond(BrainContext(instructions=instructions, tools=[])) == Say(WELCOME)
    later = BrainContext(instructions=instructions, tools=[], conversation=[Turn("user", "hello")])
    reply = Brain().respond(later)
    assert isinstance(reply, Say) and reply.text != WELCOME


@pytest.mark.parametrize("instructions", [
    "Never say 'refund' to a caller.", "Say hello warmly.", "You can say exactly what you think.",
])
def test_instructions_without_a_quoted_line_to_say_keep_the_usual_greeting(instructions: str) -> None:
    reply = Brain().respond(BrainContext(instructions=instructions, tools=[]))
    assert isinstance(reply, Say) and "refund" not in reply.text.lower()
    ctx = BrainContext(instructions=instructions, tools=[], response_instructions=instructions)
    assert Brain().respond(ctx) == reply
