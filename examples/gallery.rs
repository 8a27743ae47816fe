//! Writes every chart kind with realistic data to an HTML page, for looking at them:
//! `cargo run --example gallery -- /tmp/gallery.html`.

use partnerscope::report::charts::*;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "gallery.html".into());
    let dims: Vec<String> = [
        "Senior collaboration",
        "Dedicated HR resources",
        "HR capability and reach",
        "Talent selection and hiring",
        "Sales-manager development",
        "Performance expectations",
        "Rewards and incentives",
        "People analytics",
        "Strategy to behaviour",
        "Trust and working relationship",
    ]
    .map(String::from)
    .to_vec();
    let org: Vec<Option<f64>> = vec![
        Some(72.0),
        Some(55.5),
        Some(81.0),
        None,
        Some(64.0),
        Some(47.0),
        Some(58.0),
        Some(39.0),
        Some(66.0),
        Some(74.0),
    ];
    let median: Vec<Option<f64>> = vec![
        Some(60.0),
        Some(50.0),
        Some(62.0),
        Some(58.0),
        Some(55.0),
        Some(52.0),
        Some(49.0),
        Some(45.0),
        Some(57.0),
        Some(61.0),
    ];
    let p75: Vec<Option<f64>> = median.iter().map(|m| m.map(|m| m + 12.0)).collect();
    let mut html = String::from(
        "<!DOCTYPE html><meta charset=utf-8><body style='font-family:sans-serif;max-width:900px'>",
    );
    html += &radar::render(&radar::RadarChart {
        id: "r".into(),
        title: "Profile".into(),
        axes: dims.clone(),
        series: vec![
            radar::RadarSeries {
                name: "Northwind Group".into(),
                values: org.clone(),
            },
            radar::RadarSeries {
                name: "Population median".into(),
                values: median.clone(),
            },
            radar::RadarSeries {
                name: "Population P75".into(),
                values: p75.clone(),
            },
        ],
    });
    html += &band::render(&band::BandChart {
        id: "b".into(),
        title: "Bands".into(),
        value_label: "Northwind Group".into(),
        missing_label: "fewer than 5 responses".into(),
        rows: dims
            .iter()
            .enumerate()
            .map(|(i, d)| band::BandRow {
                missing: None,
                label: d.clone(),
                value: org[i],
                p25: median[i].map(|m| m - 10.0),
                median: median[i],
                p75: p75[i],
            })
            .collect(),
    });
    html += &dumbbell::render(&dumbbell::DumbbellChart {
        id: "d".into(),
        title: "Gap".into(),
        first_label: "Sales leadership".into(),
        second_label: "Human Resources".into(),
        first_role: 1,
        second_role: 0,
        rows: dims
            .iter()
            .enumerate()
            .map(|(i, d)| dumbbell::DumbbellRow {
                label: d.clone(),
                first: org[i].map(|v| v - 8.0),
                second: median[i],
                flagged: i % 3 == 0,
            })
            .collect(),
    });
    // One SVG per measure panel.
    html += &trend::render(&trend::TrendChart {
        id: "t".into(),
        title: "Trend".into(),
        waves: vec!["2024-H1".into(), "2024-H2".into(), "2025-H1".into()],
        series: std::iter::once(trend::TrendSeries {
            name: "Index".into(),
            values: vec![Some(48.0), Some(55.0), Some(61.0)],
            meaningful: vec![false, true, false],
        })
        .chain(dims.iter().enumerate().map(|(i, d)| trend::TrendSeries {
            name: d.clone(),
            values: vec![median[i], org[i], p75[i]],
            meaningful: vec![],
        }))
        .collect(),
    })
    .concat();
    html += &diverging::render(&diverging::DivergingChart {
        id: "v".into(),
        title: "Items".into(),
        groups: vec![
            diverging::ItemGroup {
                kind: diverging::GroupKind::Answers(
                    [
                        "Strongly disagree",
                        "Disagree",
                        "Neither agree nor disagree",
                        "Agree",
                        "Strongly agree",
                    ]
                    .map(String::from)
                    .to_vec(),
                ),
                rows: vec![
                    diverging::DivergingRow {
                        label: "HR and Sales leaders meet on business issues".into(),
                        counts: vec![1, 3, 5, 9, 4],
                        score: Some(63.6),
                        median: Some(55.0),
                        note: String::new(),
                    },
                    diverging::DivergingRow {
                        label: "(R) HR usually hears about sales initiatives only when they need to be carried out".into(),
                        counts: vec![4, 6, 3, 5, 2],
                        score: Some(56.3),
                        median: Some(50.0),
                        note: String::new(),
                    },
                ],
            },
            diverging::ItemGroup {
                kind: diverging::GroupKind::Scores,
                rows: vec![diverging::DivergingRow {
                    label: "How many full-time HR staff work mainly for the sales organization?".into(),
                    counts: vec![],
                    score: Some(41.7),
                    median: Some(33.3),
                    note: String::new(),
                }],
            },
        ],
    });
    html += &heatmap::render(&heatmap::HeatmapChart {
        id: "h".into(),
        title: "Heat".into(),
        row_labels: vec![
            "Northwind Group".into(),
            "Bluefield Holdings".into(),
            "Harbor Systems".into(),
        ],
        col_labels: dims.clone(),
        cells: vec![org.clone(), median.clone(), p75.clone()],
        scale: heatmap::HeatScale::Percent,
        decimals: 0,
        texts: None,
    });
    html += &bars::render(&bars::BarChart {
        id: "l".into(),
        title: "Levels".into(),
        bars: vec![
            ("Support Function".into(), 4.0),
            ("Service Provider".into(), 6.0),
            ("Business Partner".into(), 3.0),
            ("Strategic Partner".into(), 1.0),
        ],
        unit: "organizations".into(),
    });
    std::fs::write(&path, html).expect("write the gallery");
}
