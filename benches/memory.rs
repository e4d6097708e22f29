//! Memory benchmarks (issue 3). Prints numbers; asserts nothing about time.
//!
//!   cargo bench --bench memory -- index [SIZES...]   vector index at each size
//!                                                    (default 100000 1000000)
//!   cargo bench --bench memory -- index-real [SIZES...]  the same on real
//!                                                    MiniLM vectors (default 100000)
//!   cargo bench --bench memory -- embed              query embedding: BertModel
//!                                                    vs the short-text pass, one
//!                                                    thread vs all, cold vs cached,
//!                                                    by token count, and top-10
//!                                                    agreement on real sentences
//!   cargo bench --bench memory -- stages STORE.db DATASET.json  a hybrid
//!                                                    search's time by stage on a
//!                                                    store `bench-peer.py --keep` left
//!   cargo bench --bench memory -- peer DATASET.json  the side-by-side run of
//!                                                    scripts/bench-mcp-memory
//!   cargo bench --bench memory -- vectors STORE.db QUERIES NAME  the embedded
//!                                                    half of scripts/bench-memory-postgres
//!
//! `index` fills a real store with clustered synthetic unit vectors (the
//! model would take hours to embed a million sentences), then measures
//! build, persistence, RSS and top-10 latency of the two-stage search and of
//! the exact scan on the same queries, the share of queries whose two-stage
//! top-10 is identical to the exact one, and checks both against an f32
//! brute-force scan. `index-real` embeds a few thousand real sentences (this
//! repository's docs and README, and /usr/share/common-licenses) with the
//! model, holds every tenth out as a query, and replicates the rest with
//! small noise up to the size: real embedding geometry, synthetic count.
//! With the model installed both also time the whole hybrid search.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use caxton::memory::embed::{self, DIMS, Embedder, MODEL_ID};
use caxton::memory::graph::{create_entities, create_relations};
use caxton::memory::index::{self, Group, VectorIndex};
use caxton::memory::search::{self, Options, Semantic};
use caxton::memory::{Access, Entity, MemoryScope, Relation, vectors};
use caxton::store::Store;
use rusqlite::params;
use serde::Deserialize;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("peer") => peer(Path::new(args.get(1).expect("peer needs DATASET.json"))),
        Some("vectors") => {
            let usage = "vectors needs STORE.db QUERIES NAME";
            vector_queries(
                Path::new(args.get(1).expect(usage)),
                Path::new(args.get(2).expect(usage)),
                args.get(3).expect(usage),
            )
        }
        Some("stages") => {
            let usage = "stages needs STORE.db DATASET.json";
            stages(
                Path::new(args.get(1).expect(usage)),
                Path::new(args.get(2).expect(usage)),
            )
        }
        Some("embed") => match Embedder::load(&models_dir()) {
            Ok(embedder) => embed_bench(&embedder),
            Err(e) => println!("(model not installed: {e})"),
        },
        which @ (Some("index" | "index-real") | None) => {
            let sizes: Vec<usize> = args
                .iter()
                .skip(1)
                .map(|s| s.parse().expect("sizes are numbers"))
                .collect();
            let real = which == Some("index-real");
            let sizes = match (sizes.is_empty(), real) {
                (false, _) => sizes,
                (true, false) => vec![100_000, 1_000_000],
                (true, true) => vec![100_000],
            };
            for n in sizes {
                if real {
                    let Some(mut source) = RealVectors::new() else {
                        println!("(model not installed: real vectors not measured)");
                        return;
                    };
                    let queries = source.queries.clone();
                    index_bench(n, "real MiniLM vectors", &mut || source.next(), queries);
                } else {
                    let mut synth = Vectors::new();
                    // Queries: 200 fresh points from the same clusters.
                    let queries: Vec<Vec<f32>> = (0..200).map(|_| synth.next()).collect();
                    index_bench(n, "clustered synthetic", &mut || synth.next(), queries);
                }
            }
        }
        Some(other) => {
            panic!("unknown benchmark {other:?}: use index, index-real, embed, peer or vectors")
        }
    }
}

fn models_dir() -> std::path::PathBuf {
    std::env::var_os("CAXTON_MODELS_DIR").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".local/share/caxton/models")
        },
        Into::into,
    )
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The `q` quantile of ascending `sorted`, in milliseconds.
fn percentile_ms(sorted: &[Duration], q: f64) -> f64 {
    common::percentile(sorted, q).as_secs_f64() * 1000.0
}

/// The median of `lat` as a perf-smoke figure, in milliseconds.
fn p50_figure(key: &str, lat: &[Duration]) {
    let mut sorted = lat.to_vec();
    sorted.sort();
    common::figure(key, percentile_ms(&sorted, 0.5), "ms");
}

fn summary(mut lat: Vec<Duration>) -> String {
    lat.sort();
    format!(
        "P50 {:.2} ms, P99 {:.2} ms, max {:.2} ms",
        percentile_ms(&lat, 0.5),
        percentile_ms(&lat, 0.99),
        lat.last().unwrap().as_secs_f64() * 1000.0
    )
}

/// A four-word sentence over a 4,096-word made-up vocabulary, so keyword
/// matches are as selective as in real text (each word in ~0.1% of rows).
fn sentence(i: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ba", "de", "fu", "go", "hi", "ju", "pe",
        "zo",
    ];
    let word = |k: usize| {
        let k = k.wrapping_mul(2_654_435_761) % 4096;
        format!(
            "{}{}{}",
            SYLLABLES[k % 16],
            SYLLABLES[k / 16 % 16],
            SYLLABLES[k / 256]
        )
    };
    (0..4)
        .map(|w| word(i * 4 + w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Clustered synthetic unit vectors: 256 random centres plus noise, so a
/// query has real near neighbours like embeddings of related sentences.
struct Vectors {
    state: u64,
    centres: Vec<Vec<f32>>,
}

impl Vectors {
    fn new() -> Vectors {
        let mut v = Vectors {
            state: 0x2545_F491_4F6C_DD1D,
            centres: Vec::new(),
        };
        v.centres = (0..256).map(|_| v.noise(1.0)).collect();
        v
    }

    fn uniform(&mut self) -> f32 {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    fn noise(&mut self, amp: f32) -> Vec<f32> {
        (0..DIMS).map(|_| amp * self.uniform()).collect()
    }

    fn next(&mut self) -> Vec<f32> {
        let c = (self.uniform() + 0.5) * self.centres.len() as f32;
        let centre = self.centres[(c as usize).min(self.centres.len() - 1)].clone();
        let noise = self.noise(0.8);
        let mut v: Vec<f32> = centre.iter().zip(noise).map(|(a, b)| a + b).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }
}

/// Real sentences embedded by the model: every tenth is a query, the rest
/// are the base set, replicated with small noise to any count.
struct RealVectors {
    base: Vec<Vec<f32>>,
    queries: Vec<Vec<f32>>,
    noise: Vectors,
    next: usize,
}

/// Up to `limit` distinct real sentences: the README, docs/ and the
/// system's license texts, split at full stops, lines and table cells.
fn real_sentences(limit: usize) -> Vec<String> {
    let mut files: Vec<std::path::PathBuf> = vec!["README.md".into()];
    for dir in ["docs", "/usr/share/common-licenses"] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut more: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            more.sort();
            files.extend(more);
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut sentences = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for s in text.split(['.', '\n', '|']).map(str::trim) {
            if (30..=300).contains(&s.len()) && seen.insert(s.to_owned()) {
                sentences.push(s.to_owned());
            }
        }
    }
    sentences.truncate(limit);
    sentences
}

impl RealVectors {
    fn new() -> Option<RealVectors> {
        let embedder = Embedder::load(&models_dir()).ok()?;
        let sentences = real_sentences(4_000);
        let t = Instant::now();
        let mut vectors = Vec::with_capacity(sentences.len());
        for chunk in sentences.chunks(32) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            vectors.extend(embedder.embed(&refs).unwrap());
        }
        println!(
            "embedded {} real sentences in {:.1} s",
            vectors.len(),
            t.elapsed().as_secs_f64()
        );
        let (mut base, mut queries) = (Vec::new(), Vec::new());
        for (i, v) in vectors.into_iter().enumerate() {
            if i % 10 == 0 {
                queries.push(v)
            } else {
                base.push(v)
            }
        }
        queries.truncate(200);
        Some(RealVectors {
            base,
            queries,
            noise: Vectors::new(),
            next: 0,
        })
    }

    /// The next base vector, exact the first time round, then with uniform
    /// noise of ±0.015 per dimension (cosine to the original ≈ 0.99).
    fn next(&mut self) -> Vec<f32> {
        let i = self.next;
        self.next += 1;
        let v = &self.base[i % self.base.len()];
        if i < self.base.len() {
            return v.clone();
        }
        let noise = self.noise.noise(0.03);
        let mut v: Vec<f32> = v.iter().zip(noise).map(|(a, b)| a + b).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }
}

/// The embedded backend's side of scripts/bench-memory-postgres: the same
/// query vectors (one JSON array per line of `queries`) against a store
/// holding the same vectors as the PostgreSQL database. Each query runs the
/// embedded backend's search with its vector and no text (`search::search`
/// for a top-10: the index's pool of 40 entities, each described, the
/// blend), what `memory search` runs once the query is embedded, as the
/// agent `bench` (the scope filter the script's PostgreSQL query applies).
/// The index is built once, untimed, as a daemon keeps it in memory; one
/// untimed pass warms the cache. Recall@10: the ten entities found against
/// the exact f32 scan's ten (over every entity: the script's are all
/// global, so the agent sees them all).
/// Where a hybrid search's time goes, stage by stage, on an existing store
/// (e.g. the one `scripts/mcp-memory-peer/bench-peer.py --keep` leaves) and
/// the dataset's queries: the query embedding, the keyword half alone, the
/// vector half alone, and both with their merge.
fn stages(db: &Path, dataset: &Path) {
    let data: Dataset = serde_json::from_slice(&std::fs::read(dataset).unwrap()).unwrap();
    let embedder = Embedder::load(&models_dir()).expect("the stages need the model");
    let store = Store::open(db).unwrap();
    let access = Access::operator(MemoryScope::Global, None, None);
    let idx = VectorIndex::build(&store).unwrap();
    let opts = Options {
        limit: 10,
        ..Default::default()
    };
    let queries: Vec<&str> = data.queries.iter().map(String::as_str).collect();
    let vectors: Vec<Vec<f32>> = queries
        .iter()
        .map(|q| embedder.embed(&[q]).unwrap().remove(0))
        .collect();
    let time = |label: &str, f: &dyn Fn(usize)| {
        f(0);
        let lat: Vec<Duration> = (0..queries.len())
            .map(|i| {
                let t = Instant::now();
                f(i);
                t.elapsed()
            })
            .collect();
        println!("{label:44} {}", summary(lat));
    };
    println!(
        "\n== hybrid search by stage, {} vectors, {} queries ==",
        idx.len(),
        queries.len()
    );
    let semantic = |i: usize| Semantic {
        query: &vectors[i],
        index: &idx,
    };
    time("query embedding (embed_query, cold)", &|i| {
        drop(embedder.embed_query(&format!("{} ", queries[i])).unwrap())
    });
    time("keyword half (FTS5)", &|i| {
        drop(search::search(&store, &access, Err(String::new()), queries[i], &opts).unwrap())
    });
    time("vector half (index)", &|i| {
        drop(search::search(&store, &access, Ok(semantic(i)), "", &opts).unwrap())
    });
    time("both and the merge", &|i| {
        drop(search::search(&store, &access, Ok(semantic(i)), queries[i], &opts).unwrap())
    });
}

fn vector_queries(db: &Path, queries: &Path, name: &str) {
    let store = Store::open(db).unwrap();
    let queries: Vec<Vec<f32>> = std::fs::read_to_string(queries)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("one JSON array of numbers per line"))
        .collect();
    let access = Access {
        agent: Some("bench".into()),
        workspace: None,
        write_scope: MemoryScope::Agent,
    };
    let t = Instant::now();
    let idx = VectorIndex::build(&store).unwrap();
    let build_s = t.elapsed().as_secs_f64();
    let opts = Options {
        limit: 10,
        ..Default::default()
    };
    let search = |q: &[f32]| -> Vec<String> {
        let s = Semantic {
            query: q,
            index: &idx,
        };
        search::search(&store, &access, Ok(s), "", &opts)
            .unwrap()
            .results
            .into_iter()
            .map(|h| h.name)
            .collect()
    };
    queries.iter().for_each(|q| drop(search(q)));
    let mut found = Vec::with_capacity(queries.len());
    let mut lat: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            found.push(search(q));
            t.elapsed()
        })
        .collect();
    lat.sort();
    let exact = search::exact_nearest(&store, &queries, 10).unwrap();
    let recall = found
        .iter()
        .zip(&exact)
        .map(|(f, e)| {
            let hit = e.iter().filter(|n| f.contains(&n.name)).count();
            hit as f64 / e.len().max(1) as f64
        })
        .sum::<f64>()
        / queries.len().max(1) as f64;
    println!(
        "embedded_set={name} rows={} queries={} search_p50_ms={:.2} search_p99_ms={:.2} recall_at_10={recall:.3} index_build_s={build_s:.1}",
        idx.len(),
        queries.len(),
        percentile_ms(&lat, 0.5),
        percentile_ms(&lat, 0.99),
    );
}

/// Single-query embedding latency, on one thread and on every core:
/// candle's `BertModel` (what a query cost before the short-text pass),
/// then `embed_query` cold (distinct texts, the short-text pass) and cached
/// (the same texts again). Then both paths by token count, which is where
/// `embed` switches from one to the other.
fn embed_bench(embedder: &Embedder) {
    println!("\n== query embedding (MiniLM) ==");
    embedder.embed(&["warm up"]).unwrap();
    embedder.embed_query("warm up").unwrap();
    let count = common::scaled(300, 10);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let time = |f: &dyn Fn(&str), texts: &[String]| -> Vec<Duration> {
        texts
            .iter()
            .map(|t| {
                let started = Instant::now();
                f(t);
                started.elapsed()
            })
            .collect()
    };
    for threads in [1, cores] {
        // SAFETY: candle reads RAYON_NUM_THREADS on each matrix product;
        // nothing else reads or writes the environment while this runs.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.to_string()) };
        // The short-text pass splits its rows over the pool it runs in.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let label = format!("{threads} thread{}", if threads == 1 { "" } else { "s" });
        let texts: Vec<String> = (0..count)
            .map(|i| format!("which project did entity {i} work on with {label}"))
            .collect();
        pool.install(|| {
            let bert = time(&|t| drop(embedder.embed(&[t]).unwrap()), &texts);
            let cold = time(&|t| drop(embedder.embed_query(t).unwrap()), &texts);
            let cached = time(&|t| drop(embedder.embed_query(t).unwrap()), &texts);
            println!(
                "query embedding P50/P99, BertModel, {label}: {}",
                summary(bert)
            );
            println!("query embedding P50/P99, cold, {label}: {}", summary(cold));
            println!(
                "query embedding P50/P99, cached, {label}: {}",
                summary(cached)
            );
        });
    }
    let runs = common::scaled(30, 5);
    for words in [8, 16, 32, 48, 64, 96, 128] {
        let texts: Vec<String> = (0..runs)
            .map(|i| {
                let mut t = format!("note {i}");
                for w in 0..words - 2 {
                    t.push_str([" agent", " stored", " the", " deployment"][w % 4]);
                }
                t
            })
            .collect();
        let tokens = embedder.token_count(&texts[0]).unwrap();
        let bert = time(&|t| drop(embedder.embed(&[t]).unwrap()), &texts);
        let routed = time(&|t| drop(embedder.embed_query(t).unwrap()), &texts);
        println!(
            "{tokens} tokens, {cores} threads: BertModel {}; embed_query {}",
            summary(bert),
            summary(routed)
        );
    }
    query_agreement(embedder);
}

/// How far the query path's vectors (the short-text pass) are from
/// `BertModel`'s, which embeds what is stored: every tenth real sentence is
/// a query, the rest are the corpus (embedded by `BertModel` in batches, as
/// the store does), and each query's top-10 over the corpus is compared.
fn query_agreement(embedder: &Embedder) {
    let sentences = real_sentences(4_000);
    let (mut corpus, mut queries) = (Vec::new(), Vec::new());
    for (i, s) in sentences.iter().enumerate() {
        if i % 10 == 0 {
            queries.push(s.as_str())
        } else {
            corpus.push(s.as_str())
        }
    }
    let mut stored = Vec::with_capacity(corpus.len());
    for chunk in corpus.chunks(32) {
        stored.extend(embedder.embed(chunk).unwrap());
    }
    let top10 = |q: &[f32]| -> Vec<usize> {
        let mut scored: Vec<(f32, usize)> = stored
            .iter()
            .enumerate()
            .map(|(i, v)| (v.iter().zip(q).map(|(a, b)| a * b).sum(), i))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.iter().take(10).map(|s| s.1).collect()
    };
    let (mut same_order, mut same_set, mut overlap, mut worst) = (0, 0, 0, 1f32);
    for q in &queries {
        let reference = embedder.embed(&[q]).unwrap().remove(0);
        let fast = embedder.embed_query(q).unwrap();
        worst = worst.min(reference.iter().zip(fast.iter()).map(|(a, b)| a * b).sum());
        let (want, got) = (top10(&reference), top10(&fast));
        same_order += usize::from(want == got);
        let shared = got.iter().filter(|i| want.contains(i)).count();
        same_set += usize::from(shared == 10);
        overlap += shared;
    }
    println!(
        "query path vs BertModel, {} real queries over {} sentences: min cosine {worst:.6}, \
         identical top-10 {same_order}, same top-10 set {same_set}, mean overlap {:.2}/10",
        queries.len(),
        corpus.len(),
        overlap as f64 / queries.len().max(1) as f64
    );
}

fn index_bench(n: usize, source: &str, next: &mut dyn FnMut() -> Vec<f32>, queries: Vec<Vec<f32>>) {
    println!("\n== vector index, {n} vectors ({DIMS} dims, {source}) ==");
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("caxton.db")).unwrap();
    let access = Access::operator(MemoryScope::Global, None, None);
    let started = Instant::now();
    // Ten observations per entity, like a busy knowledge graph.
    for chunk in (0..n / 10).collect::<Vec<_>>().chunks(5_000) {
        let entities: Vec<Entity> = chunk
            .iter()
            .map(|i| Entity {
                name: format!("entity-{i}"),
                entity_type: ["person", "project", "place", "note"][i % 4].into(),
                observations: (0..10).map(|j| sentence(i * 10 + j)).collect(),
            })
            .collect();
        create_entities(&mut store, &access, &entities, None).unwrap();
    }
    let mut ids: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM memory_observations ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for chunk in ids.chunks(50_000) {
        let batch: Vec<(i64, Vec<f32>)> = chunk.iter().map(|id| (*id, next())).collect();
        store
            .write(|tx| {
                let mut stmt = tx
                    .prepare("INSERT INTO memory_vectors (observation_id, model, dims, vector) VALUES (?1, ?2, ?3, ?4)")
                    .unwrap();
                for (id, v) in &batch {
                    stmt.execute(params![id, MODEL_ID, DIMS as i64, embed::to_blob(v)])
                        .unwrap();
                }
                index::prune_changes(tx).unwrap();
                Ok(())
            })
            .unwrap();
    }
    println!(
        "store filled in {:.1} s ({:.0} MB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(dir.path().join("caxton.db"))
            .unwrap()
            .len() as f64
            / 1e6
    );

    let rss_before = rss_kib();
    let t = Instant::now();
    let mut idx = VectorIndex::build(&store).unwrap();
    let build = t.elapsed();
    common::figure(
        &format!("memory.index_build.{n}"),
        build.as_secs_f64() * 1e3,
        "ms",
    );
    let rss_after = rss_kib();
    println!(
        "build from the store: {:.2} s; index arrays {:.1} MB; process RSS +{:.1} MB",
        build.as_secs_f64(),
        idx.heap_bytes() as f64 / 1e6,
        (rss_after.saturating_sub(rss_before)) as f64 / 1024.0
    );
    let cache = dir.path().join("cache");
    let t = Instant::now();
    idx.save(&cache).unwrap();
    let save = t.elapsed();
    let t = Instant::now();
    let loaded = VectorIndex::load(&cache).unwrap();
    println!(
        "persisted copy: save {:.0} ms, load {:.0} ms ({:.1} MB file)",
        save.as_secs_f64() * 1000.0,
        t.elapsed().as_secs_f64() * 1000.0,
        std::fs::metadata(cache.join("vectors.idx")).unwrap().len() as f64 / 1e6
    );
    drop(loaded);

    let all = |_: &Group| true;
    let people = |g: &Group| g.entity_type == "person";
    for (key, label, allow) in [
        ("no_filter", "no filter", &all as &dyn Fn(&Group) -> bool),
        ("type_filter", "type filter (1/4 of rows)", &people),
    ] {
        // The same queries through the exact scan and the two-stage search.
        let mut answers: [Vec<Vec<i64>>; 2] = Default::default();
        let mut fallbacks = 0;
        for (exact, mode) in [(true, "exact"), (false, "two-stage")] {
            // Warm-up, then measure.
            idx.nearest(&store, &queries[0], allow, 10, exact).unwrap();
            let lat: Vec<Duration> = queries
                .iter()
                .map(|q| {
                    let t = Instant::now();
                    let (near, pass) = idx.nearest_pass(&store, q, allow, 10, exact).unwrap();
                    let took = t.elapsed();
                    fallbacks += usize::from(!exact && pass != index::Pass::TwoStage);
                    answers[usize::from(!exact)]
                        .push(near.iter().map(|n| n.observation_id).collect());
                    took
                })
                .collect();
            if !exact {
                // The figure scripts/perf-smoke tracks: the default search.
                p50_figure(&format!("memory.top10_p50.{key}.{n}"), &lat);
            }
            println!("top-10, {label}, {mode}: {}", summary(lat));
        }
        let same = answers[0]
            .iter()
            .zip(&answers[1])
            .filter(|(a, b)| a == b)
            .count();
        println!(
            "recall@10, {label}: two-stage top-10 identical to exact on {same}/{} queries ({:.1} %); {fallbacks} answered by the exact fallback",
            queries.len(),
            100.0 * same as f64 / queries.len() as f64
        );
    }

    // Exactness against an f32 scan over every vector, on 20 queries.
    let mut exact = [0; 2];
    let vectors: Vec<(i64, i64, Vec<f32>)> = store
        .conn()
        .prepare("SELECT v.observation_id, o.entity_id, v.vector FROM memory_vectors v JOIN memory_observations o ON o.id = v.observation_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, embed::from_blob(&r.get::<_, Vec<u8>>(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for q in queries.iter().take(20) {
        let mut best: std::collections::HashMap<i64, (f32, i64)> = Default::default();
        for (id, entity, v) in &vectors {
            let s: f32 = v.iter().zip(q).map(|(a, b)| a * b).sum();
            let e = best.entry(*entity).or_insert((f32::MIN, *id));
            if s > e.0 {
                *e = (s, *id);
            }
        }
        let mut want: Vec<(f32, i64)> = best.into_values().collect();
        want.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let want: Vec<i64> = want.iter().take(10).map(|x| x.1).collect();
        for (i, mode) in [true, false].into_iter().enumerate() {
            let got: Vec<i64> = idx
                .nearest(&store, q, &all, 10, mode)
                .unwrap()
                .iter()
                .map(|n| n.observation_id)
                .collect();
            exact[i] += usize::from(got == want);
        }
    }
    println!(
        "identical top-10 to an f32 brute-force scan: exact {}/20, two-stage {}/20 queries",
        exact[0], exact[1]
    );
    drop(vectors);

    // Incremental upkeep: 1,000 new vectors, then one sync.
    ids.truncate(1_000);
    store
        .write(|tx| {
            for id in &ids {
                tx.execute(
                    "UPDATE memory_vectors SET vector = ?2 WHERE observation_id = ?1",
                    params![id, embed::to_blob(&next())],
                )
                .unwrap();
            }
            Ok(())
        })
        .unwrap();
    let t = Instant::now();
    let load = idx.sync(&store).unwrap();
    println!(
        "sync after 1,000 changed vectors: {:.1} ms ({})",
        t.elapsed().as_secs_f64() * 1000.0,
        load.as_str()
    );

    if let Ok(embedder) = Embedder::load(&models_dir()) {
        embedder.embed(&["warm up"]).unwrap();
        let opts = Options {
            limit: 10,
            ..Default::default()
        };
        let run = || -> Vec<Duration> {
            (0..50)
                .map(|i| {
                    let t = Instant::now();
                    let query = sentence(i * 7919);
                    let s = Semantic {
                        query: &embedder.embed_query(&query).unwrap(),
                        index: &idx,
                    };
                    search::search(&store, &access, Ok(s), &query, &opts).unwrap();
                    t.elapsed()
                })
                .collect()
        };
        let lat = run();
        p50_figure(&format!("memory.hybrid_search_p50.{n}"), &lat);
        println!(
            "whole hybrid search (embed + FTS5 + index + merge): {}",
            summary(lat)
        );
        // The same queries again: their vectors come from the query cache.
        println!(
            "whole hybrid search, repeated queries (cached query vectors): {}",
            summary(run())
        );
    } else {
        println!("(model not installed: query embedding and hybrid search not measured)");
    }
}

#[derive(Deserialize)]
struct Dataset {
    entities: Vec<Entity>,
    relations: Vec<Relation>,
    queries: Vec<String>,
    semantic_checks: Vec<Check>,
}

#[derive(Deserialize)]
struct Check {
    query: String,
    expect_entity: String,
}

/// Caxton's half of the side-by-side run with the MCP reference memory
/// server: the same dataset, batches and queries, in-process (the peer is
/// measured over stdio by scripts/mcp-memory-peer/bench-peer.py). Prints one
/// JSON object.
fn peer(dataset: &Path) {
    let data: Dataset = serde_json::from_slice(&std::fs::read(dataset).unwrap()).unwrap();
    let embedder = Embedder::load(&models_dir()).expect("the side-by-side run needs the model");
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("caxton.db")).unwrap();
    let access = Access::operator(MemoryScope::Global, None, None);

    let t = Instant::now();
    for batch in data.entities.chunks(100) {
        create_entities(&mut store, &access, batch, None).unwrap();
    }
    let entities_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for batch in data.relations.chunks(100) {
        create_relations(&mut store, &access, batch).unwrap();
    }
    let relations_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let embedded = vectors::embed_backlog(&mut store, &embedder, &mut |_, _| {}).unwrap();
    let embed_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let idx = VectorIndex::build(&store).unwrap();
    let index_s = t.elapsed().as_secs_f64();

    let opts = Options {
        limit: 10,
        ..Default::default()
    };
    let run = |q: &str| {
        let s = Semantic {
            query: &embedder.embed_query(q).unwrap(),
            index: &idx,
        };
        search::search(&store, &access, Ok(s), q, &opts).unwrap()
    };
    run("warm up");
    let mut hits = 0;
    let lat: Vec<Duration> = data
        .queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            hits += usize::from(!run(q).results.is_empty());
            t.elapsed()
        })
        .collect();
    let total_s: f64 = lat.iter().map(Duration::as_secs_f64).sum();
    let semantic_found = data
        .semantic_checks
        .iter()
        .filter(|c| {
            run(&c.query)
                .results
                .iter()
                .any(|h| h.name == c.expect_entity)
        })
        .count();
    let mut sorted = lat.clone();
    sorted.sort();
    let report = serde_json::json!({
        "system": "caxton (in-process library: SQLite store, MiniLM embeddings, int8 index)",
        "ingest": {
            "entities": data.entities.len(),
            "entities_seconds": entities_s,
            "entities_per_s": data.entities.len() as f64 / entities_s,
            "relations": data.relations.len(),
            "relations_seconds": relations_s,
            "relations_per_s": data.relations.len() as f64 / relations_s,
            "embedded_observations": embedded,
            "embedding_seconds": embed_s,
            "index_build_seconds": index_s,
        },
        "search": {
            "queries": lat.len(),
            "total_s": total_s,
            "p50_ms": percentile_ms(&sorted, 0.5),
            "p99_ms": percentile_ms(&sorted, 0.99),
            "mean_ms": total_s * 1000.0 / lat.len() as f64,
            "queries_with_results": hits,
            "limit": opts.limit,
        },
        "semantic_checks": {"found": semantic_found, "total": data.semantic_checks.len()},
        "db_bytes": std::fs::metadata(dir.path().join("caxton.db")).unwrap().len(),
        "rss_kib": rss_kib(),
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
