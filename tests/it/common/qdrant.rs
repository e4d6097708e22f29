//! A STAND-IN, not Qdrant: no Qdrant server can be installed on this
//! machine (none is on crates.io, PyPI, Debian or npm). This loopback
//! server speaks the subset of Qdrant's REST API that Caxton uses, in the
//! request and response shapes of Qdrant's API reference, and ranks by
//! exact cosine. It proves what Caxton sends and how it reads the answers,
//! not Qdrant's own behaviour.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

#[derive(Default)]
struct Collection {
    size: u64,
    distance: String,
    points: BTreeMap<i64, Vec<f32>>,
}

#[derive(Default)]
struct State {
    collections: HashMap<String, Collection>,
    /// `METHOD path` of every request, in order.
    log: Vec<String>,
}

pub struct Qdrant {
    pub port: u16,
    state: Arc<Mutex<State>>,
    down: Arc<AtomicBool>,
}

impl Qdrant {
    pub fn start() -> Qdrant {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let down = Arc::new(AtomicBool::new(false));
        let (s, d) = (state.clone(), down.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (s, d) = (s.clone(), d.clone());
                std::thread::spawn(move || serve(stream, &s, &d));
            }
        });
        Qdrant { port, state, down }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answer 503 to everything from now on (an outage).
    pub fn go_down(&self) {
        self.down.store(true, Ordering::SeqCst);
    }

    /// The point ids in `collection`.
    pub fn ids(&self, collection: &str) -> Vec<i64> {
        let st = self.state.lock().unwrap();
        st.collections
            .get(collection)
            .map(|c| c.points.keys().copied().collect())
            .unwrap_or_default()
    }

    /// How many requests so far started with `prefix` (`"POST /collections/m/points/search"`).
    pub fn count(&self, prefix: &str) -> usize {
        let st = self.state.lock().unwrap();
        st.log.iter().filter(|l| l.starts_with(prefix)).count()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, down: &AtomicBool) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return Some(());
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).ok()?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().ok()?;
            }
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).ok()?;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let path = target.split('?').next().unwrap_or("").to_string();
        let (status, reply) = if down.load(Ordering::SeqCst) {
            (503, json!({"status": {"error": "service unavailable"}}))
        } else {
            let mut st = state.lock().unwrap();
            st.log.push(format!("{method} {path}"));
            answer(&mut st, &method, &path, &body)
        };
        let text = reply.to_string();
        write!(
            writer,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        )
        .ok()?;
    }
}

fn ok(result: Value) -> (u16, Value) {
    (
        200,
        json!({"result": result, "status": "ok", "time": 0.0001}),
    )
}

fn answer(st: &mut State, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", [""]) => (
            200,
            json!({"title": "qdrant - vector search engine", "version": "1.12.4"}),
        ),
        ("GET", ["collections", name]) => match st.collections.get(*name) {
            None => (
                404,
                json!({"status": {"error": format!("Not found: Collection `{name}` doesn't exist!")}}),
            ),
            Some(c) => ok(json!({
                "status": "green",
                "points_count": c.points.len(),
                "config": {"params": {"vectors": {"size": c.size, "distance": c.distance}}}
            })),
        },
        ("PUT", ["collections", name]) => {
            let v = &body["vectors"];
            st.collections.insert(
                name.to_string(),
                Collection {
                    size: v["size"].as_u64().unwrap_or(0),
                    distance: v["distance"].as_str().unwrap_or("").to_string(),
                    points: BTreeMap::new(),
                },
            );
            ok(json!(true))
        }
        ("PUT", ["collections", name, "points"]) => {
            let Some(c) = st.collections.get_mut(*name) else {
                return (404, json!({"status": {"error": "no collection"}}));
            };
            for p in body["points"].as_array().into_iter().flatten() {
                let v: Vec<f32> = p["vector"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap() as f32)
                    .collect();
                if v.len() as u64 != c.size {
                    return (
                        400,
                        json!({"status": {"error": "Wrong input: Vector dimension error"}}),
                    );
                }
                c.points.insert(p["id"].as_i64().unwrap(), v);
            }
            ok(json!({"operation_id": 1, "status": "completed"}))
        }
        ("POST", ["collections", name, "points", "delete"]) => {
            let Some(c) = st.collections.get_mut(*name) else {
                return (404, json!({"status": {"error": "no collection"}}));
            };
            for id in body["points"].as_array().into_iter().flatten() {
                c.points.remove(&id.as_i64().unwrap());
            }
            ok(json!({"operation_id": 2, "status": "completed"}))
        }
        ("POST", ["collections", name, "points", "search"]) => {
            let Some(c) = st.collections.get(*name) else {
                return (404, json!({"status": {"error": "no collection"}}));
            };
            let q: Vec<f32> = body["vector"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect();
            let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let mut scored: Vec<(i64, f32)> = c
                .points
                .iter()
                .map(|(id, v)| {
                    let dot: f32 = v.iter().zip(&q).map(|(a, b)| a * b).sum();
                    (*id, dot / (norm(v) * norm(&q)).max(f32::MIN_POSITIVE))
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1));
            scored.truncate(body["limit"].as_u64().unwrap_or(10) as usize);
            ok(json!(
                scored
                    .iter()
                    .map(|(id, s)| json!({"id": id, "version": 0, "score": s}))
                    .collect::<Vec<_>>()
            ))
        }
        _ => (
            404,
            json!({"status": {"error": format!("no route {method} {path}")}}),
        ),
    }
}
