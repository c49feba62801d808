"""The channel layer: channels-redis' pub/sub layer, which also tells a process's sockets when
its subscriptions came back after losing Redis.

Redis pub/sub keeps nothing: what is published while a process's subscriber connection is away
(the Redis master lost, until Sentinel names the next one and the subscriber reconnects to it)
never reaches that process's sockets. redis-py subscribes again as it reconnects; this layer
then puts a `layer.reconnected` event on every channel of the process, so that each socket
catches up from the database on what it may have missed (consumers' `layer_reconnected`;
docs/realtime.md). Subscribed again first, read after: a message is then heard twice (pages
drop repeated ids), never not at all."""

from __future__ import annotations

import asyncio

from channels_redis import pubsub
from channels_redis.utils import _wrap_close
from redis.asyncio.client import PubSub

RECONNECTED = {"type": "layer.reconnected"}


class _PubSub(PubSub):
    def __init__(self, *args, reconnected, **kwargs):
        super().__init__(*args, **kwargs)
        self._reconnected = reconnected

    async def on_connect(self, connection) -> None:
        # Called on every connection after the first: subscribes again, then tells.
        await super().on_connect(connection)
        if self.subscribed:
            self._reconnected()


class _Shard(pubsub.RedisSingleShardConnection):
    def _ensure_redis(self) -> None:
        if self._redis is None:
            super()._ensure_redis()
            self._pubsub = _PubSub(self._redis.connection_pool, reconnected=self._tell_sockets)

    def _tell_sockets(self) -> None:
        layer = self.channel_layer
        event = layer.channel_layer.serialize(RECONNECTED)
        for queue in list(layer.channels.values()):
            queue.put_nowait(event)


class _LoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        if loop not in self._layers:
            self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return self._layers[loop]
