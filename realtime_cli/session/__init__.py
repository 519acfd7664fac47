"""session layer: agents, tools, handoffs, guardrails, the runner and the session (asyncio, no sockets)."""
