// A bare Node `ws` broadcast relay: the Node baseline for the relay benchmark.
//
// Same rooms, path shape and msgpack framing as the Porch relay (welcome, join,
// msg with a per-room seq and a ts), no limits and no checks. The few msgpack
// shapes it needs are coded by hand so that `ws` is its only dependency.
// Usage: node bench/bare_ws_relay.js [PORT]  (prints one line with its address)
"use strict";
const { WebSocketServer } = require("ws");

const PREFIX = "/v1/rooms/";
const rooms = new Map();

function str(s) {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from([0xa0 | b.length]), b]); // keys and kinds are short
}

function uint(n) {
  if (n < 128) return Buffer.from([n]);
  if (n < 256) return Buffer.from([0xcc, n]);
  if (n < 65536) return Buffer.from([0xcd, n >> 8, n & 0xff]);
  const b = Buffer.alloc(9);
  b[0] = 0xcf;
  b.writeBigUInt64BE(BigInt(n), 1); // ts in ms needs more than 32 bits
  return b;
}

function bin(d) {
  const head = d.length < 256 ? Buffer.from([0xc4, d.length]) : Buffer.alloc(5);
  if (d.length >= 256) {
    head[0] = 0xc6;
    head.writeUInt32BE(d.length, 1);
  }
  return Buffer.concat([head, d]);
}

function map(pairs) {
  const parts = [Buffer.from([0x80 | pairs.length])];
  for (const [k, v] of pairs) parts.push(str(k), v);
  return Buffer.concat(parts);
}

// The payload of a pub frame {"t": "pub", "d": BYTES}: the bin value after key "d".
function pubPayload(frame) {
  const at = frame.indexOf(Buffer.from([0xa1, 0x64])) + 2; // fixstr "d"
  const tag = frame[at];
  if (tag === 0xc4) return frame.subarray(at + 2, at + 2 + frame[at + 1]);
  if (tag === 0xc5) return frame.subarray(at + 3, at + 3 + frame.readUInt16BE(at + 1));
  return frame.subarray(at + 5, at + 5 + frame.readUInt32BE(at + 1));
}

function stamp(room, kind, fields) {
  room.seq += 1;
  const frame = map([["t", str(kind)], ["seq", uint(room.seq)], ["ts", uint(Date.now())], ...fields]);
  for (const member of room.members.values()) member.send(frame, { binary: true });
}

const server = new WebSocketServer({ host: "127.0.0.1", port: Number(process.argv[2] || 0) });
server.on("connection", (conn, request) => {
  if (!request.url.startsWith(PREFIX)) return conn.close();
  const roomId = request.url.slice(PREFIX.length);
  if (!rooms.has(roomId)) rooms.set(roomId, { members: new Map(), seq: 0, next: 1 });
  const room = rooms.get(roomId);
  const peer = room.next++;
  const others = [...room.members.keys()];
  room.members.set(peer, conn);
  const peers = Buffer.concat([Buffer.from([0x90 | others.length]), ...others.map(uint)]);
  const welcome = [["t", str("welcome")], ["v", uint(1)], ["you", uint(peer)], ["peers", peers]];
  conn.send(map([...welcome, ["cap", uint(12)]]), { binary: true });
  stamp(room, "join", [["peer", uint(peer)]]);
  conn.on("message", (data) => stamp(room, "msg", [["from", uint(peer)], ["d", bin(pubPayload(data))]]));
  conn.on("close", () => {
    room.members.delete(peer);
    if (room.members.size) stamp(room, "leave", [["peer", uint(peer)]]);
    else rooms.delete(roomId);
  });
});
server.on("listening", () => {
  const { address, port } = server.address();
  console.log(`bare node ws relay listening on ws://${address}:${port}`);
});
