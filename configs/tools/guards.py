"""Demo tools and an import-path guardrail for configs/guardrail_demo.yaml.

The vault tool reads out an access code the declarative guardrail blocks; `no_refund_talk` trips on refunds.
"""

from __future__ import annotations

import re
from typing import Any

from realtime_cli import GuardrailFunctionOutput, output_guardrail

_REFUND = re.compile(r"\brefund(s|ed|ing)?\b", re.IGNORECASE)


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The city name, for example Oslo.
    """
    return f"The weather in {city.strip().title()} is clear and 18 degrees."


def read_vault_code(vault: str = "main") -> str:
    """Read the access code of a vault.

    Args:
        vault: Which vault, for example main.
    """
    return f"The secret code for the {vault} vault is ZX-4471."


def refund_policy(order_id: str = "") -> str:
    """Explain the return policy for an order.

    Args:
        order_id: The order number, for example 1001.
    """
    subject = f"Order {order_id}" if order_id else "Any order"
    return f"{subject} can be refunded within 30 days of delivery."


@output_guardrail(name="no_refund_talk")
def no_refund_talk(context: Any, agent: Any, output: Any) -> GuardrailFunctionOutput:
    """Trips when the agent talks about refunds, which only billing staff may discuss."""
    hit = _REFUND.search(str(output))
    return GuardrailFunctionOutput(
        output_info="Refunds are handled by the billing team." if hit else None,
        tripwire_triggered=hit is not None,
    )
