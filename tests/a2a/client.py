"""A scripted A2A client on the official SDK (PyPI a2a-sdk, pinned in
tests/a2a/requirements.txt, installed by scripts/setup-a2a-client), for
tests/it/mcp_server.rs: fetches the Agent Card from BASE_URL, then sends the
messages read from stdin (a JSON array of {"text"|"data", "skill"?,
"contextId"?, "stream"?}) with message/send, or message/stream when "stream"
is true. Prints one JSON object: {"card": ..., "replies": [{"message": ...}
| {"error": "..."} | {"stream": [{"task": ..., "update": ...|null}, ...]}]}.

Usage: python client.py BASE_URL [TOKEN] < messages.json
"""
import asyncio
import json
import sys
import uuid

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.types import DataPart, Message, Part, Role, TextPart


async def main(base_url, token, messages):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(headers=headers, timeout=120) as http:
        card = await A2ACardResolver(http, base_url).get_agent_card()
        client = ClientFactory(ClientConfig(httpx_client=http, streaming=False)).create(card)
        streaming = ClientFactory(ClientConfig(httpx_client=http, streaming=True)).create(card)
        dump = lambda x: x.model_dump(mode="json", by_alias=True, exclude_none=True)
        replies = []
        for m in messages:
            part = TextPart(text=m["text"]) if "text" in m else DataPart(data=m["data"])
            msg = Message(role=Role.user, parts=[Part(root=part)], message_id=uuid.uuid4().hex,
                          context_id=m.get("contextId"))
            meta = {"skill": m["skill"]} if "skill" in m else None
            try:
                if m.get("stream"):
                    # The SDK yields (task so far, the event that updated it).
                    events = []
                    async for event in streaming.send_message(msg, request_metadata=meta):
                        if isinstance(event, tuple):
                            task, update = event
                            events.append({"task": dump(task), "update": dump(update) if update else None})
                        else:
                            events.append({"message": dump(event)})
                    replies.append({"stream": events})
                    continue
                async for event in client.send_message(msg, request_metadata=meta):
                    replies.append({"message": dump(event)})
            except Exception as e:  # the SDK's JSON-RPC errors, reported to the test
                replies.append({"error": f"{type(e).__name__}: {e}"})
        print(json.dumps({"card": card.model_dump(mode="json", by_alias=True, exclude_none=True),
                          "replies": replies}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None, json.load(sys.stdin)))
