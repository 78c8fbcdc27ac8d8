//! SVG plots of a report (plotters, SVG backend):
//! - `latency-vs-kb-size.svg`: query p50 and p99 against KB rows (log–log), every system;
//! - `index-bytes-vs-kb-size.svg`: index bytes against KB rows;
//! - `risk-coverage.svg`: one panel per eval file, wrong-answer rate against the share of
//!   queries answered as the confidence threshold falls; dots mark each system's shipped policy.

use crate::data::{Group, Manifest};
use crate::report::{Report, HEADLINE};
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Series: (report system, where measured, label, colour).
const SERIES: &[(&str, bool, &str, RGBColor)] = &[
    ("kefu", true, "kefu (wasm, Chromium)", RGBColor(228, 57, 60)),
    ("minisearch", true, "MiniSearch", RGBColor(31, 119, 180)),
    ("minisearch-fuzzy", true, "MiniSearch fuzzy+prefix", RGBColor(23, 190, 207)),
    ("flexsearch", true, "FlexSearch", RGBColor(44, 160, 44)),
    ("kefu", false, "kefu (native)", RGBColor(140, 20, 20)),
    ("tantivy", false, "tantivy default (native)", RGBColor(127, 127, 127)),
];

fn e<E: std::error::Error + Send + Sync + 'static>(err: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("plot: {err}")
}

/// Writes every plot into `out`; returns their paths.
pub fn all(r: &Report, m: &Manifest, out: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let sizes: Vec<(&str, usize)> = {
        let mut v: Vec<(&str, usize)> = m
            .datasets
            .iter()
            .filter(|d| matches!(d.group, Group::Scale | Group::Synthetic) || d.name == HEADLINE)
            .map(|d| (d.name.as_str(), d.kb_rows))
            .collect();
        v.sort_by_key(|x| x.1);
        v
    };
    if sizes.len() >= 2 {
        let p = out.join("latency-vs-kb-size.svg");
        latency(r, &sizes, &p)?;
        written.push(p);
        let p = out.join("index-bytes-vs-kb-size.svg");
        index_bytes(r, &sizes, &p)?;
        written.push(p);
    }
    let eval: Vec<&str> = m.datasets.iter().filter(|d| d.group == Group::Eval).map(|d| d.name.as_str()).collect();
    if !eval.is_empty() {
        let p = out.join("risk-coverage.svg");
        risk_coverage(r, &eval, &p)?;
        written.push(p);
    }
    Ok(written)
}

type Points = Vec<(f64, f64)>;
/// A risk–coverage series: label, colour, curve, shipped-policy point (answered, wrong).
type Line = (&'static str, RGBColor, Vec<[f64; 3]>, Option<(f64, f64)>);

/// Highest wrong-answer rate shown in the risk–coverage panels.
const RISK_CAP: f64 = 0.3;

/// A curve up to where it crosses `cap` (the crossing interpolated).
fn clip(pts: &[[f64; 3]], cap: f64) -> Vec<[f64; 3]> {
    let mut out = Vec::new();
    for (i, p) in pts.iter().enumerate() {
        if p[1] <= cap {
            out.push(*p);
            continue;
        }
        if let Some(q) = i.checked_sub(1).map(|j| pts[j]) {
            let t = (cap - q[1]) / (p[1] - q[1]);
            out.push([q[0] + t * (p[0] - q[0]), cap, q[2] + t * (p[2] - q[2])]);
        }
        break;
    }
    out
}

/// (label, colour, points) of every series that has data, for one figure.
fn size_series(
    r: &Report,
    sizes: &[(&str, usize)],
    browser: impl Fn(&crate::report::BrowserRow) -> f64,
    native: impl Fn(&crate::report::NativeRow) -> f64,
) -> Vec<(&'static str, RGBColor, Points)> {
    let mut out = Vec::new();
    for &(sys, in_browser, label, colour) in SERIES {
        let pts: Points = sizes
            .iter()
            .filter_map(|&(ds, rows)| {
                let y = if in_browser {
                    r.browser.iter().find(|b| b.system == sys && b.dataset == ds).map(&browser)
                } else {
                    r.native.iter().find(|n| n.system == sys && n.dataset == ds).map(&native)
                }?;
                (y > 0.0).then_some((rows as f64, y))
            })
            .collect();
        if !pts.is_empty() {
            out.push((label, colour, pts));
        }
    }
    out
}

fn log_panel(
    area: &DrawingArea<SVGBackend, Shift>,
    title: &str,
    y_desc: &str,
    series: &[(&'static str, RGBColor, Points)],
) -> Result<()> {
    let xs = series.iter().flat_map(|s| s.2.iter().map(|p| p.0));
    let ys: Vec<f64> = series.iter().flat_map(|s| s.2.iter().map(|p| p.1)).collect();
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (y0, y1) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), &y| (a.min(y), b.max(y)));
    if series.is_empty() {
        return Ok(());
    }
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d((x0 * 0.8..x1 * 1.25).log_scale(), (y0 * 0.7..y1 * 6.0).log_scale())
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("KB rows (log)")
        .y_desc(y_desc)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| if *y >= 1.0 { format!("{y:.0}") } else { format!("{y:.2}") })
        .draw()
        .map_err(e)?;
    for (label, colour, pts) in series {
        let c = *colour;
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
            .map_err(e)?
            .label(*label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled()))).map_err(e)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(e)?;
    Ok(())
}

fn latency(r: &Report, sizes: &[(&str, usize)], path: &Path) -> Result<()> {
    let root = SVGBackend::new(path, (1200, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let (left, right) = root.split_horizontally(600);
    let p50 = size_series(r, sizes, |b| b.latency.p50_ms, |n| n.latency.p50_ms);
    let p99 = size_series(r, sizes, |b| b.latency.p99_ms, |n| n.latency.p99_ms);
    log_panel(&left, "Query latency p50 vs KB size", "ms per query (log)", &p50)?;
    log_panel(&right, "Query latency p99 vs KB size", "ms per query (log)", &p99)?;
    root.present().map_err(e)?;
    Ok(())
}

fn index_bytes(r: &Report, sizes: &[(&str, usize)], path: &Path) -> Result<()> {
    let root = SVGBackend::new(path, (700, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    // MiniSearch's two configurations share one index: plot it once.
    let s: Vec<_> = size_series(r, sizes, |b| b.index_bytes as f64 / 1024.0, |n| n.index_bytes as f64 / 1024.0)
        .into_iter()
        .filter(|(l, _, _)| *l != "MiniSearch fuzzy+prefix" && *l != "kefu (native)")
        .collect();
    log_panel(&root, "Index bytes vs KB size", "KiB (log)", &s)?;
    root.present().map_err(e)?;
    Ok(())
}

fn risk_coverage(r: &Report, eval: &[&str], path: &Path) -> Result<()> {
    let cols = 3usize;
    let rows = eval.len().div_ceil(cols);
    let root = SVGBackend::new(path, (1200, 400 * rows as u32 + 30)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let (title, body) = root.split_vertically(52);
    title
        .draw_text(
            "Risk–coverage: wrong answers (share of all queries) vs queries answered, threshold on each system's confidence; dot = shipped policy (peers: answer every hit; off the chart when over 30%); dashed = 5%",
            &("sans-serif", 14).into_text_style(&title),
            (10, 8),
        )
        .map_err(e)?;
    // One legend for all panels, in the header.
    let mut x = 10;
    for &(sys, in_browser, label, colour) in SERIES {
        if !in_browser && sys != "tantivy" {
            continue;
        }
        title.draw(&PathElement::new(vec![(x, 36), (x + 18, 36)], colour.stroke_width(3))).map_err(e)?;
        title.draw_text(label, &("sans-serif", 13).into_font().color(&colour), (x + 24, 30)).map_err(e)?;
        x += 30 + 8 * label.len() as i32;
    }
    let panels = body.split_evenly((rows, cols));
    for (ds, area) in eval.iter().zip(panels.iter()) {
        let mut lines: Vec<Line> = Vec::new();
        for &(sys, in_browser, label, colour) in SERIES {
            let acc = if in_browser {
                r.browser.iter().find(|b| b.system == sys && b.dataset == *ds).and_then(|b| b.accuracy.as_ref())
            } else if sys == "tantivy" {
                r.native.iter().find(|n| n.system == sys && n.dataset == *ds).and_then(|n| n.accuracy.as_ref())
            } else {
                None
            };
            if let Some(a) = acc {
                lines.push((label, colour, a.curve.clone(), Some((a.answered, a.wrong_rate))));
            }
        }
        // The region that matters is near the 5% line: curves are cut at 30% wrong.
        let ymax = lines.iter().flat_map(|l| l.2.iter().map(|p| p[1])).fold(0.1f64, f64::max).min(RISK_CAP);
        for l in &mut lines {
            l.2 = clip(&l.2, ymax);
        }
        let mut chart = ChartBuilder::on(area)
            .caption(*ds, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..1f64, 0f64..ymax * 1.05)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("answered (coverage)")
            .y_desc("wrong / all queries")
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()
            .map_err(e)?;
        let five = BLACK.mix(0.5);
        chart
            .draw_series((0..20).map(|i| {
                let x = i as f64 / 20.0;
                PathElement::new(vec![(x, 0.05), (x + 0.025, 0.05)], five.stroke_width(1))
            }))
            .map_err(e)?;
        for (_, colour, pts, shipped) in &lines {
            let c = *colour;
            chart.draw_series(LineSeries::new(pts.iter().map(|p| (p[0], p[1])), c.stroke_width(2))).map_err(e)?;
            if let Some(p) = shipped.filter(|p| p.1 <= ymax) {
                chart.draw_series(std::iter::once(Circle::new(p, 5, c.filled()))).map_err(e)?;
            }
        }
    }
    root.present().map_err(e)?;
    Ok(())
}
