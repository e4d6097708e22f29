//! `chart_generator`: bar, line, scatter and pie charts as PNG or SVG files in
//! the agent's `output/` directory, drawn with plotters.
//!
//! Text in PNGs is rendered with the DejaVu Sans font embedded in the binary,
//! so charts look the same on every machine and need no system fonts.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use image::ImageEncoder as _;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::register_font;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    GroundedArg, Tool, ToolContext, ToolError, open_workspace_dir, parse_args, schema_of,
    write_atomic,
};

const NAME: &str = "chart_generator";
const FONT: &str = "sans-serif";
const MAX_POINTS: usize = 100_000;
const MAX_MAGNITUDE: f64 = 1e300;
/// Labels (with as many values per series) the schema spells out one
/// variant each for: the longest array the local model's grammar writes.
const SCHEMA_LABELS: usize = 16;
/// Series, and values or points per series, the schema admits: their
/// product is [`MAX_POINTS`].
const SCHEMA_SERIES: usize = 100;
const SCHEMA_VALUES: usize = MAX_POINTS / SCHEMA_SERIES;
/// Tableau 10: distinguishable, and readable on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

pub struct ChartGenerator;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum ChartType {
    Bar,
    Line,
    Scatter,
    Pie,
}

impl ChartType {
    fn as_str(self) -> &'static str {
        match self {
            ChartType::Bar => "bar",
            ChartType::Line => "line",
            ChartType::Scatter => "scatter",
            ChartType::Pie => "pie",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Format {
    Png,
    Svg,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SeriesArg {
    /// Name shown in the legend (drawn when there are several series).
    name: Option<String>,
    /// Y values. Bar and pie: one per label. Line: one per x position (one per
    /// label when labels are given). Scatter: x is the value's index.
    #[serde(default)]
    values: Vec<f64>,
    /// Scatter only: [x, y] pairs, instead of `values`.
    #[serde(default)]
    points: Vec<[f64; 2]>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// Kind of chart.
    chart_type: ChartType,
    /// Title drawn above the chart.
    #[serde(default)]
    title: String,
    /// Category labels: required for bar and pie (one per value), optional x
    /// labels for line charts.
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    labels: Vec<String>,
    /// Data series. Pie charts take exactly one.
    series: Vec<SeriesArg>,
    /// Image format (default: from the `output` extension, else png).
    format: Option<Format>,
    /// File name to write in the workspace's output/ directory, e.g.
    /// "sales.png" (default: <chart_type>-<unix_ms>.<format>). A plain name:
    /// no directories, no `..`; the extension must match the format.
    output: Option<String>,
    /// Image width in pixels (default 800).
    #[schemars(range(min = 100, max = 4000))]
    width: Option<u32>,
    /// Image height in pixels (default 600).
    #[schemars(range(min = 100, max = 4000))]
    height: Option<u32>,
    /// Caption of the x axis (bar, line, scatter).
    x_label: Option<String>,
    /// Caption of the y axis (bar, line, scatter).
    y_label: Option<String>,
}

struct Series {
    name: String,
    points: Vec<(f64, f64)>,
}

/// A validated chart, ready to draw on any backend.
struct Plot {
    kind: ChartType,
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    x_label: String,
    y_label: String,
}

fn invalid(message: impl Into<String>) -> ToolError {
    ToolError::invalid_args(NAME, message)
}

impl Plot {
    fn from_args(args: &Args) -> Result<Plot, ToolError> {
        let kind = args.chart_type;
        if args.series.is_empty() {
            return Err(invalid("series must contain at least one series"));
        }
        if kind == ChartType::Pie && args.series.len() != 1 {
            return Err(invalid(format!(
                "a pie chart takes exactly one series, got {}",
                args.series.len()
            )));
        }
        if matches!(kind, ChartType::Bar | ChartType::Pie) && args.labels.is_empty() {
            return Err(invalid(format!(
                "a {} chart needs `labels`: one category label per value",
                kind.as_str()
            )));
        }
        let mut series = Vec::with_capacity(args.series.len());
        let mut total = 0;
        for (i, arg) in args.series.iter().enumerate() {
            let name = arg
                .name
                .clone()
                .unwrap_or_else(|| format!("series {}", i + 1));
            let points = Self::series_points(kind, &args.labels, i, &name, arg)?;
            total += points.len();
            series.push(Series { name, points });
        }
        if total > MAX_POINTS {
            return Err(ToolError::LimitExceeded {
                message: format!("chart_generator: {total} data points, more than {MAX_POINTS}"),
            });
        }
        if kind == ChartType::Pie {
            let values = series[0].points.iter().map(|p| p.1);
            if values.clone().any(|v| v < 0.0) {
                return Err(invalid("pie values must not be negative"));
            }
            if values.sum::<f64>() <= 0.0 {
                return Err(invalid("pie values must add up to more than 0"));
            }
        }
        Ok(Plot {
            kind,
            title: args.title.clone(),
            labels: args.labels.clone(),
            series,
            x_label: args.x_label.clone().unwrap_or_default(),
            y_label: args.y_label.clone().unwrap_or_default(),
        })
    }

    fn series_points(
        kind: ChartType,
        labels: &[String],
        index: usize,
        name: &str,
        arg: &SeriesArg,
    ) -> Result<Vec<(f64, f64)>, ToolError> {
        let at = format!("series[{index}] ({name})");
        if !arg.points.is_empty() && kind != ChartType::Scatter {
            return Err(invalid(format!(
                "{at}: `points` is for scatter charts; give `values`"
            )));
        }
        if !arg.points.is_empty() && !arg.values.is_empty() {
            return Err(invalid(format!(
                "{at}: give either `values` or `points`, not both"
            )));
        }
        let points: Vec<(f64, f64)> = if arg.points.is_empty() {
            arg.values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v))
                .collect()
        } else {
            arg.points.iter().map(|&[x, y]| (x, y)).collect()
        };
        if points.is_empty() {
            return Err(invalid(format!("{at}: no data")));
        }
        // Beyond ±1e300 the axis span itself overflows to infinity.
        if let Some(i) = points
            .iter()
            .position(|(x, y)| !(x.abs() <= MAX_MAGNITUDE && y.abs() <= MAX_MAGNITUDE))
        {
            return Err(invalid(format!(
                "{at}: value {i} is not a finite number within ±1e300"
            )));
        }
        let needs_labels = matches!(kind, ChartType::Bar | ChartType::Pie)
            || (kind == ChartType::Line && !labels.is_empty());
        if needs_labels && points.len() != labels.len() {
            return Err(invalid(format!(
                "{at}: {} values but {} labels; give one value per label",
                points.len(),
                labels.len()
            )));
        }
        Ok(points)
    }

    fn is_categorical(&self) -> bool {
        !self.labels.is_empty()
    }
}

/// The output file name and format from the optional arguments.
fn output_target(
    output: Option<&str>,
    format: Option<Format>,
    kind: ChartType,
) -> Result<(String, Format), ToolError> {
    let Some(name) = output else {
        let format = format.unwrap_or(Format::Png);
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        return Ok((
            format!("{}-{millis}.{}", kind.as_str(), format.extension()),
            format,
        ));
    };
    if Path::new(name).is_absolute() {
        return Err(invalid(format!(
            "output {name:?}: must be a file name inside the workspace output directory, not an absolute path"
        )));
    }
    if name.contains(['/', '\\']) || name.starts_with('.') || name.contains("..") {
        return Err(invalid(format!(
            "output {name:?}: must be a plain file name such as \"chart.png\" (no directories, no `..`, not hidden)"
        )));
    }
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let from_extension = match extension.as_deref() {
        Some("png") => Some(Format::Png),
        Some("svg") => Some(Format::Svg),
        _ => None,
    };
    match (from_extension, format) {
        (Some(ext), Some(format)) if ext != format => Err(invalid(format!(
            "output {name:?} does not match format {}; name it with .{}",
            format.extension(),
            format.extension()
        ))),
        (Some(ext), _) => Ok((name.to_string(), ext)),
        (None, format) => Err(invalid(format!(
            "output {name:?}: the name must end in .{}",
            format.map_or("png or .svg", Format::extension)
        ))),
    }
}

/// Everything `run` checks before drawing: the plot and the file to write.
fn checked(args: &Args) -> Result<(Plot, String, Format), ToolError> {
    let plot = Plot::from_args(args)?;
    let (file_name, format) = output_target(args.output.as_deref(), args.format, plot.kind)?;
    Ok((plot, file_name, format))
}

/// An object schema that constrains only the properties in `constraints`;
/// the closed top-level schema says which exist. It lists all of `order`
/// (unconstrained ones as `true`): llguidance writes the properties of an
/// `allOf` in the order of its first part, and the model should write
/// `chart_type` first, as the top level has it.
fn partial(order: &[String], constraints: Value, required: &[&str]) -> Value {
    let properties: serde_json::Map<String, Value> = order
        .iter()
        .map(|k| {
            (
                k.clone(),
                constraints.get(k).cloned().unwrap_or(json!(true)),
            )
        })
        .collect();
    json!({"type": "object", "properties": properties, "required": required,
           "additionalProperties": true})
}

/// The arguments' schema says everything [`checked`] checks, so a grammar
/// compiled from it cannot write a call the tool then rejects (a 135M model
/// drew bar charts without labels). On top of the argument types, `allOf`
/// two independent choices: the chart's shape (per chart type and label
/// count: labels for bar and pie with exactly as many values per series,
/// one positive series for pie, points only for scatter), and the output
/// (a plain file name whose extension is the format). Narrower than the
/// tool where that keeps the schema simple: pie values are positive, at
/// most 16 labels, 100 series, 1,000 values each.
fn schema() -> Value {
    let mut s = schema_of::<Args>();
    // No range on the numbers: llguidance cannot compile ±1e300 (its bounds
    // must fit an i64), and a narrower range did not keep the model from
    // endless decimals either. Beyond ±1e300 (exponent notation only) is
    // refused by the tool alone.
    s["properties"]["labels"]["minItems"] = json!(1);
    s["properties"]["labels"]["maxItems"] = json!(SCHEMA_LABELS);
    s["properties"]["series"]["minItems"] = json!(1);
    s["properties"]["series"]["maxItems"] = json!(SCHEMA_SERIES);
    let series = &mut s["$defs"]["SeriesArg"]["properties"];
    for key in ["values", "points"] {
        series[key]["minItems"] = json!(1);
        series[key]["maxItems"] = json!(SCHEMA_VALUES);
    }
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let item = keys(series);
    let top = keys(&s["properties"]);
    let args = |constraints: Value, required: &[&str]| partial(&top, constraints, required);
    let each = |constraints: Value, required: &[&str]| partial(&item, constraints, required);
    let values_only = each(json!({"points": false}), &["values"]);
    // One variant per chart type and label count (a count that type cannot
    // have is left out rather than spelled out as unsatisfiable: each
    // variant costs grammar compile time).
    let labelled = |kind: &str, n: usize| {
        let pie = kind == "pie";
        let mut values = json!({"minItems": n, "maxItems": n});
        if pie {
            values["items"] = json!({"exclusiveMinimum": 0});
        }
        let item = each(json!({"points": false, "values": values}), &["values"]);
        let max_series = if pie { 1 } else { SCHEMA_SERIES };
        args(
            json!({"chart_type": {"const": kind}, "labels": {"minItems": n, "maxItems": n},
                   "series": {"maxItems": max_series, "items": item}}),
            &["labels"],
        )
    };
    let mut shapes = Vec::new();
    for n in 1..=SCHEMA_LABELS {
        shapes.extend(["bar", "pie", "line"].map(|kind| labelled(kind, n)));
    }
    shapes.push(args(
        json!({"chart_type": {"const": "line"}, "labels": false, "series": {"items": values_only}}),
        &[],
    ));
    shapes.push(args(
        json!({"chart_type": {"const": "scatter"}, "labels": false, "series": {"items": {
            "oneOf": [values_only, each(json!({"values": false}), &["points"])]}}}),
        &[],
    ));
    // What `output_target` accepts: a plain name (no directories, not
    // hidden, no `..`) whose extension is the format when both are given.
    let named = |ext: &str| {
        args(
            json!({"format": {"const": ext}, "output": {
                "type": "string", "pattern": format!("^[A-Za-z0-9_][A-Za-z0-9_-]*\\.{ext}$")}}),
            &["output"],
        )
    };
    let outputs = json!([
        args(json!({"output": false}), &[]),
        named("png"),
        named("svg")
    ]);
    s["allOf"] = json!([{"oneOf": shapes}, {"oneOf": outputs}]);
    s
}

fn ensure_font() -> Result<(), ToolError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ToolError::failed(
            "chart_generator: the embedded DejaVu Sans font could not be loaded",
        ))
    }
}

/// Tick label text: short, without float noise such as 0.30000000000000004
/// or a "zero" of -2.2e-16 on an axis spanning `span`.
fn tick(value: f64, span: f64) -> String {
    if value.abs() < span * 1e-9 {
        return "0".to_string();
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e7).contains(&magnitude) {
        return format!("{value:.2e}");
    }
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// An f64 axis with ticks exactly where we want them: at category centres, or
/// plotters' own round numbers for numeric axes. (`WithKeyPoints` would do,
/// but cannot take a custom label formatter over f64.)
struct TickedAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light (minor) grid lines would clutter category axes; bold only.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// `lo..hi` widened by 5 % each side, and to a unit span when flat.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

fn draw_xy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &Plot,
    font_size: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, height) = root.dim_in_pixel();
    let all_points = || plot.series.iter().flat_map(|s| s.points.iter().copied());
    let (y_min, y_max) = all_points().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    let (y_lo, y_hi) = match plot.kind {
        // Bars grow from zero; the axis must show it.
        ChartType::Bar => {
            let (lo, hi) = padded(y_min.min(0.0), y_max.max(0.0));
            (
                if y_min >= 0.0 { 0.0 } else { lo },
                if y_max <= 0.0 { 0.0 } else { hi },
            )
        }
        _ => padded(y_min, y_max),
    };
    // The legend sits in the top-right corner; raise the top so it does not
    // cover the highest data (one line of legend per series).
    let y_hi = if plot.series.len() > 1 {
        let plot_height = f64::from(height).max(1.0) * 0.7;
        let legend = (plot.series.len() as f64 * font_size * 1.6) / plot_height;
        y_hi + (y_hi - y_lo) * legend
    } else {
        y_hi
    };
    let categories = plot.labels.len();
    // At most one category label per ~70 px, so they do not overlap.
    let label_step = (categories * 70).div_ceil(width.max(1) as usize).max(1);
    let (x_range, key_points): (std::ops::Range<f64>, Vec<f64>) = match plot.kind {
        ChartType::Bar => (
            0.0..categories as f64,
            (0..categories)
                .step_by(label_step)
                .map(|i| i as f64 + 0.5)
                .collect(),
        ),
        ChartType::Line if plot.is_categorical() => (
            -0.5..categories as f64 - 0.5,
            (0..categories)
                .step_by(label_step)
                .map(|i| i as f64)
                .collect(),
        ),
        _ => {
            let (x_min, x_max) = all_points()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                    (lo.min(p.0), hi.max(p.0))
                });
            let (lo, hi) = padded(x_min, x_max);
            (lo..hi, RangedCoordf64::from(lo..hi).key_points(10))
        }
    };
    let categorical_x = matches!(plot.kind, ChartType::Bar)
        || (plot.kind == ChartType::Line && plot.is_categorical());
    let x_span = x_range.end - x_range.start;
    let x_tick = |x: &f64| {
        if categorical_x {
            let index = if plot.kind == ChartType::Bar {
                x - 0.5
            } else {
                *x
            };
            plot.labels
                .get(index.round().max(0.0) as usize)
                .cloned()
                .unwrap_or_default()
        } else {
            tick(*x, x_span)
        }
    };
    let y_tick = |y: &f64| tick(*y, y_hi - y_lo);

    let mut builder = ChartBuilder::on(root);
    if !plot.title.is_empty() {
        builder.caption(&plot.title, (FONT, font_size * 1.6));
    }
    let mut chart = builder
        .margin(font_size)
        .x_label_area_size(font_size * 3.0)
        .y_label_area_size(font_size * 5.0)
        .build_cartesian_2d(
            TickedAxis {
                inner: x_range.into(),
                ticks: key_points,
            },
            y_lo..y_hi,
        )?;
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_tick)
        .y_label_formatter(&y_tick)
        .label_style((FONT, font_size))
        .axis_desc_style((FONT, font_size * 1.1))
        .max_light_lines(1)
        .bold_line_style(BLACK.mix(0.15));
    if categorical_x {
        mesh.disable_x_mesh();
    }
    if !plot.x_label.is_empty() {
        mesh.x_desc(plot.x_label.as_str());
    }
    if !plot.y_label.is_empty() {
        mesh.y_desc(plot.y_label.as_str());
    }
    mesh.draw()?;

    let groups = plot.series.len() as f64;
    for (index, series) in plot.series.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        let drawn = match plot.kind {
            ChartType::Bar => {
                // Series side by side within each category, 10 % gap each side.
                let bar = 0.8 / groups;
                let start = 0.1 + bar * index as f64;
                chart.draw_series(series.points.iter().map(|&(i, v)| {
                    Rectangle::new([(i + start, 0.0), (i + start + bar, v)], color.filled())
                }))?
            }
            ChartType::Line => {
                // Markers help read a few points and smear into a thick
                // line with many.
                let marker = if series.points.len() <= 50 { 3 } else { 0 };
                chart.draw_series(
                    LineSeries::new(series.points.iter().copied(), color.stroke_width(2))
                        .point_size(marker),
                )?
            }
            _ => chart.draw_series(
                series
                    .points
                    .iter()
                    .map(|&p| Circle::new(p, 4, color.mix(0.8).filled())),
            )?,
        };
        drawn
            .label(series.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
    }
    if plot.series.len() > 1 {
        chart
            .configure_series_labels()
            .label_font((FONT, font_size))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.5))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    Ok(())
}

fn draw_pie<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &Plot,
    font_size: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let padded_root = root.margin(font_size, font_size, font_size, font_size);
    let area = if plot.title.is_empty() {
        padded_root
    } else {
        padded_root.titled(&plot.title, (FONT, font_size * 1.6))?
    };
    // Pie draws straight onto the backend, so it needs absolute pixels.
    let (left, top) = area.get_base_pixel();
    let (w, h) = area.dim_in_pixel();
    let center = (left + w as i32 / 2, top + h as i32 / 2);
    let radius = f64::from(w.min(h)) * 0.33;
    let sizes: Vec<f64> = plot.series[0].points.iter().map(|p| p.1).collect();
    let colors: Vec<RGBColor> = (0..sizes.len())
        .map(|i| PALETTE[i % PALETTE.len()])
        .collect();
    let mut pie = Pie::new(&center, &radius, &sizes, &colors, &plot.labels);
    pie.start_angle(-90.0);
    pie.label_style((FONT, font_size).into_font().color(&BLACK));
    pie.percentages((FONT, font_size * 0.9).into_font().color(&WHITE));
    area.draw(&pie)?;
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    plot: &Plot,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, h) = root.dim_in_pixel();
    let font_size = (f64::from(w.min(h)) / 40.0).clamp(10.0, 48.0);
    root.fill(&WHITE)?;
    match plot.kind {
        ChartType::Pie => draw_pie(&root, plot, font_size)?,
        _ => draw_xy(&root, plot, font_size)?,
    }
    root.present()
}

fn drawing_failed(e: impl std::fmt::Display) -> ToolError {
    ToolError::failed(format!("chart_generator: drawing failed: {e}"))
}

fn render(plot: &Plot, format: Format, width: u32, height: u32) -> Result<Vec<u8>, ToolError> {
    match format {
        Format::Svg => {
            let mut svg = String::new();
            draw(
                SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area(),
                plot,
            )
            .map_err(drawing_failed)?;
            Ok(svg.into_bytes())
        }
        Format::Png => {
            let mut pixels = vec![0u8; width as usize * height as usize * 3];
            draw(
                BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area(),
                plot,
            )
            .map_err(drawing_failed)?;
            let mut png = Vec::new();
            image::codecs::png::PngEncoder::new(&mut png)
                .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
                .map_err(|e| {
                    ToolError::failed(format!("chart_generator: PNG encoding failed: {e}"))
                })?;
            Ok(png)
        }
    }
}

impl Tool for ChartGenerator {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Draw a bar, line, scatter or pie chart from data series and save it as a PNG or \
         SVG file in the workspace's output/ directory. Returns the file's absolute path."
    }

    fn parameters(&self) -> Value {
        schema()
    }

    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[
            GroundedArg::Named { name: "chart_type" },
            GroundedArg::Named { name: "format" },
            GroundedArg::StatedNumbers {
                name: "series",
                values: "values",
            },
            GroundedArg::StatedLabels { name: "labels" },
        ]
    }

    fn explain_invalid(&self, args: &Value) -> Option<String> {
        let args: Args = serde_json::from_value(args.clone()).ok()?;
        match checked(&args) {
            Err(ToolError::InvalidArgs { message, .. }) => Some(message),
            _ => None,
        }
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        let (plot, file_name, format) = checked(&args)?;
        let width = args.width.unwrap_or(800);
        let height = args.height.unwrap_or(600);
        ensure_font()?;
        let bytes = render(&plot, format, width, height)?;

        let dir = open_workspace_dir(ctx, "output")?;
        let path = ctx.workspace.join("output").join(&file_name);
        write_atomic(&dir, Path::new(&file_name), &bytes).map_err(|e| {
            ToolError::failed(format!(
                "chart_generator: cannot write {}: {e}",
                path.display()
            ))
        })?;
        let path = std::path::absolute(&path).unwrap_or(path);
        Ok(json!({
            "path": path,
            "format": format.extension(),
            "width": width,
            "height": height,
            "bytes": bytes.len(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn ctx(workspace: &Path) -> ToolContext {
        ToolContext {
            workspace: workspace.to_path_buf(),
            read_root: None,
            config: Map::new(),
            memory: None,
            messaging: None,
        }
    }

    fn run(workspace: &Path, args: Value) -> Result<Value, ToolError> {
        super::super::invoke(&ChartGenerator, &ctx(workspace), args)
    }

    fn assert_png(result: &Value, width: u32, height: u32) {
        let path = result["path"].as_str().unwrap();
        assert!(Path::new(path).is_absolute(), "{path}");
        let image = image::open(path).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), (width, height));
        let first = image.get_pixel(0, 0);
        let distinct = image.pixels().filter(|p| *p != first).count();
        // More than a few stray pixels: axes, bars, text were drawn.
        assert!(
            distinct > 500,
            "only {distinct} pixels differ from the background"
        );
        assert_eq!(result["bytes"], std::fs::metadata(path).unwrap().len());
    }

    #[test]
    fn every_chart_type_renders_png() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            json!({"chart_type": "bar", "title": "Sales", "labels": ["Q1", "Q2", "Q3"],
                   "series": [{"name": "2024", "values": [3, 5, -2]},
                              {"name": "2025", "values": [4, 6, 1]}],
                   "output": "bar.png", "x_label": "quarter", "y_label": "units"}),
            json!({"chart_type": "line", "title": "Trend", "labels": ["a", "b", "c", "d"],
                   "series": [{"name": "x", "values": [1, 3, 2, 5]}], "width": 640, "height": 480}),
            json!({"chart_type": "scatter", "title": "Points",
                   "series": [{"name": "p", "points": [[0.5, 1], [2, 3.5], [4, 0.25]]},
                              {"name": "q", "values": [2, 2, 2]}]}),
            json!({"chart_type": "pie", "title": "Share", "labels": ["a", "b", "c"],
                   "series": [{"values": [50, 30, 20]}], "width": 500, "height": 500}),
        ];
        for args in cases {
            let result = run(dir.path(), args.clone()).unwrap();
            assert_eq!(result["format"], "png");
            let width = args["width"].as_u64().unwrap_or(800) as u32;
            let height = args["height"].as_u64().unwrap_or(600) as u32;
            assert_eq!(result["width"], width);
            assert_png(&result, width, height);
            let path = Path::new(result["path"].as_str().unwrap());
            assert_eq!(path.parent().unwrap(), dir.path().join("output"));
        }
        let bar = dir.path().join("output/bar.png");
        assert!(bar.is_file());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("output"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    #[test]
    fn svg_contains_title() {
        let dir = tempfile::tempdir().unwrap();
        let result = run(
            dir.path(),
            json!({"chart_type": "line", "title": "Monthly revenue", "format": "svg",
                   "series": [{"values": [1, 2, 3]}], "output": "rev.svg"}),
        )
        .unwrap();
        assert_eq!(result["format"], "svg");
        let svg = std::fs::read_to_string(result["path"].as_str().unwrap()).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("Monthly revenue"));
        let inferred = run(
            dir.path(),
            json!({"chart_type": "pie", "labels": ["a"], "series": [{"values": [1]}],
                   "output": "p.svg"}),
        )
        .unwrap();
        assert_eq!(inferred["format"], "svg");
    }

    #[test]
    fn rejects_bad_data() {
        let dir = tempfile::tempdir().unwrap();
        for args in [
            json!({"chart_type": "bar", "labels": ["a", "b"], "series": [{"values": [1]}]}),
            json!({"chart_type": "bar", "series": [{"values": [1]}]}),
            json!({"chart_type": "line", "series": []}),
            json!({"chart_type": "line", "series": [{"values": []}]}),
            json!({"chart_type": "pie", "labels": ["a"], "series": [{"values": [1]}, {"values": [2]}]}),
            json!({"chart_type": "pie", "labels": ["a", "b"], "series": [{"values": [1, -1]}]}),
            json!({"chart_type": "pie", "labels": ["a"], "series": [{"values": [0]}]}),
            json!({"chart_type": "line", "series": [{"points": [[1, 2]]}]}),
            json!({"chart_type": "line", "series": [{"values": [1]}], "width": 5000}),
            json!({"chart_type": "donut", "series": [{"values": [1]}]}),
            json!({"chart_type": "scatter", "series": [{"points": [[0, 1e301]]}]}),
        ] {
            match run(dir.path(), args.clone()) {
                Err(ToolError::InvalidArgs { .. }) => {}
                other => panic!("{args}: expected InvalidArgs, got {other:?}"),
            }
        }
        // JSON cannot carry NaN, so check the validation directly.
        let args = Args {
            chart_type: ChartType::Line,
            title: String::new(),
            labels: Vec::new(),
            series: vec![SeriesArg {
                name: None,
                values: vec![1.0, f64::NAN],
                points: Vec::new(),
            }],
            format: None,
            output: None,
            width: None,
            height: None,
            x_label: None,
            y_label: None,
        };
        match Plot::from_args(&args) {
            Err(ToolError::InvalidArgs { message, .. }) => {
                assert!(
                    message.contains("value 1 is not a finite number"),
                    "{message}"
                )
            }
            other => panic!("expected InvalidArgs, got {:?}", other.err()),
        }
    }

    /// The schema admits nothing the tool then rejects: over every
    /// combination of the shapes `run` checks (chart type, labels, series
    /// of values and points, output name and format), a call the schema
    /// validates passes the tool's checks. The grammar the local model
    /// decodes with is compiled from this schema.
    #[test]
    fn the_schema_admits_nothing_the_tool_rejects() {
        let validator = jsonschema::validator_for(&schema()).unwrap();
        let labels = [
            None,
            Some(json!([])),
            Some(json!(["a"])),
            Some(json!(["a", "b"])),
        ];
        let one = [
            json!({}),
            json!({"values": [1]}),
            json!({"values": [1, 2]}),
            json!({"values": [0]}),
            json!({"values": [-1, 2]}),
            json!({"points": [[1, 2]]}),
            json!({"values": [1], "points": [[1, 2]]}),
            json!({"values": []}),
        ];
        let mut series = vec![json!([])];
        for a in &one {
            series.push(json!([a]));
            series.extend(one.iter().map(|b| json!([a, b])));
        }
        let outputs = [
            (None, None),
            (Some("x.png"), None),
            (Some("x.svg"), Some("png")),
            (None, Some("svg")),
            (Some("y.svg"), Some("svg")),
            (Some("a/b.png"), None),
            (Some(".x.png"), None),
            (Some("x"), None),
        ];
        let (mut admitted, mut total) = (0, 0);
        for kind in ["bar", "pie", "line", "scatter"] {
            for l in &labels {
                for s in &series {
                    for (output, format) in outputs {
                        let mut args = json!({"chart_type": kind, "series": s});
                        if let Some(l) = l {
                            args["labels"] = l.clone();
                        }
                        if let Some(o) = output {
                            args["output"] = json!(o);
                        }
                        if let Some(f) = format {
                            args["format"] = json!(f);
                        }
                        total += 1;
                        if validator.is_valid(&args) {
                            admitted += 1;
                            let parsed: Args = serde_json::from_value(args.clone()).unwrap();
                            if let Err(e) = checked(&parsed) {
                                panic!("the schema admits {args}, which the tool rejects: {e}");
                            }
                        }
                    }
                }
            }
        }
        // Not vacuous: every chart type has admitted shapes.
        assert!(admitted > 200, "only {admitted} of {total} admitted");
        for args in [
            json!({"chart_type": "bar", "labels": ["a", "b"], "series": [{"values": [1, 2]}]}),
            json!({"chart_type": "pie", "labels": ["a"], "series": [{"values": [1]}],
                   "output": "p.svg"}),
            json!({"chart_type": "line", "series": [{"values": [1, 4, 9]}], "format": "svg"}),
            json!({"chart_type": "scatter", "series": [{"points": [[1, 2]]}, {"values": [3]}]}),
        ] {
            assert!(validator.is_valid(&args), "{args}");
        }
    }

    /// A call the schema refuses still gets the tool's own message, which
    /// names the rule, rather than "not valid under any of the schemas".
    #[test]
    fn refused_calls_are_explained_by_the_tool() {
        let dir = tempfile::tempdir().unwrap();
        match run(
            dir.path(),
            json!({"chart_type": "bar", "series": [{"values": [10, 20]}]}),
        ) {
            Err(ToolError::InvalidArgs { message, .. }) => {
                assert!(message.contains("a bar chart needs `labels`"), "{message}")
            }
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_output_names() {
        let dir = tempfile::tempdir().unwrap();
        let base = json!({"chart_type": "line", "series": [{"values": [1, 2]}]});
        for (output, format) in [
            ("/tmp/x.png", None),
            ("../x.png", None),
            ("sub/x.png", None),
            (".hidden.png", None),
            ("x.svg", Some("png")),
            ("x.jpg", None),
            ("x", Some("svg")),
        ] {
            let mut args = base.clone();
            args["output"] = json!(output);
            if let Some(format) = format {
                args["format"] = json!(format);
            }
            match run(dir.path(), args) {
                Err(ToolError::InvalidArgs { message, .. }) => {
                    assert!(message.contains(output), "{message}")
                }
                other => panic!("{output}: expected InvalidArgs, got {other:?}"),
            }
        }
        assert!(!dir.path().join("x.png").exists());
    }

    #[test]
    fn default_name_uses_type_and_format() {
        let dir = tempfile::tempdir().unwrap();
        let result = run(
            dir.path(),
            json!({"chart_type": "scatter", "format": "svg", "series": [{"values": [1, 2]}]}),
        )
        .unwrap();
        let name = Path::new(result["path"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with("scatter-") && name.ends_with(".svg"),
            "{name}"
        );
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.30000000000000004, 1.0), "0.3");
        assert_eq!(tick(100.0, 1.0), "100");
        assert_eq!(tick(-0.0001, 0.001), "-1.00e-4");
        assert_eq!(tick(-0.0, 1.0), "0");
        assert_eq!(tick(-2.2e-16, 2.0), "0");
    }
}
