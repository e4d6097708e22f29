//! The agent protocols Caxton speaks as a server (issue 19): MCP, so any
//! MCP client can use Caxton's memory and agents, and A2A, so any A2A client
//! can message them. The CLI (`caxton mcp serve`) and the daemon (`/mcp`,
//! `/a2a`, the Agent Card) only pick the transport.

pub mod a2a;
pub mod agents;
pub mod mcp;
pub mod resources;
