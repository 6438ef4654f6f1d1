//! The static catalog site (SPEC §5) under `site/`:
//!
//! ```text
//! site/index.html        the catalog: search as you type, filters by 事项类型,
//!                        行使层级, 实施主体 and 行政区划, a live count, links
//!                        to every guide (../guides/<实施编码>.html)
//! site/stats.html        the indicators of the catalog and of each agency,
//!                        with bar charts drawn as inline SVG at build time
//! site/assets/site.css   the look of both pages
//! site/assets/site.js    the search of index.html (vanilla, no network)
//! site/data/NN.js        the catalog's search data, in shards by agency
//! ```
//!
//! The site works opened from file:// with no network: the catalog's search
//! data ([`data`]) is in script files beside the page, which the page loads
//! with `<script>` elements (a page opened from file:// may not `fetch()`),
//! and the script renders one page of results at a time, so 100 000 entries
//! stay usable. The data is split into [`SHARDS`] shards by a digest of the
//! agency's code: the boundaries never move as the catalog grows, each shard
//! lists its own repeated values, so a change to one entry rewrites one shard
//! (and the small pages), not the whole catalog's data. `index.html` embeds
//! the manifest — each shard's file, row count and sha256 — and the script
//! refuses to show a catalog with a shard missing or not the one listed.
//!
//! The page reads its search and filters from the URL
//! (`?q=婚姻&category=行政许可&level=市级`) and keeps the URL up to date, so a
//! search can be linked to.
//!
//! All four files are templates (`templates/site/`), which a workspace may
//! override; every value is escaped by the template, and the embedded JSON
//! cannot leave its `<script>` element. The same catalog gives the same bytes.

mod charts;
pub mod data;
pub mod tallies;

use super::templates::Templates;
use super::{BuildContext, Plan, PublishError, catalogs};
use crate::stats::{AgencyStats, Compression, Indicators, Share, Stats};
use charts::{BarChart, Span};
use serde::Serialize;

/// The template of the catalog page.
pub const INDEX_TEMPLATE: &str = "site/index.html";
/// The template of the statistics page.
pub const STATS_TEMPLATE: &str = "site/stats.html";
/// The stylesheet of both pages.
pub const CSS_TEMPLATE: &str = "site/site.css";
/// The catalog page's script.
pub const JS_TEMPLATE: &str = "site/site.js";

/// What the site writes, relative to `site/`, from which template.
pub const FILES: [(&str, &str); 4] = [
    ("index.html", INDEX_TEMPLATE),
    ("stats.html", STATS_TEMPLATE),
    ("assets/site.css", CSS_TEMPLATE),
    ("assets/site.js", JS_TEMPLATE),
];

/// What every page shows in its header and footer.
#[derive(Debug, Serialize)]
pub struct Site<'a> {
    /// The catalog's name (`release_name` of `yima.yaml`).
    pub catalog: &'a str,
    /// The release version; empty for an unreleased build (shown as 未发布).
    pub version: &'a str,
    /// The number of active entries.
    pub entries: usize,
    /// The page being rendered: `index` or `stats`, for the navigation.
    pub page: &'static str,
    /// The downloadable catalogs beside the site.
    pub downloads: Vec<Download>,
}

/// A file of the build the pages link to, relative to `site/`.
#[derive(Debug, Serialize)]
pub struct Download {
    pub href: String,
    pub label: String,
}

/// The context of `site/index.html`.
#[derive(Debug, Serialize)]
pub struct IndexPage<'a> {
    pub site: Site<'a>,
    pub filters: data::Filters,
    /// The manifest of the data's shards as `<script>`-safe JSON
    /// ([`data::script_json`]); the template inserts it unescaped, which is
    /// why it is escaped here.
    pub data: String,
    /// The shards, for the template's `<script>` elements.
    pub shards: Vec<ShardRef>,
}

/// How many shards the search data is split into.
pub const SHARDS: usize = 64;

/// The folder of `site/` the shards are written to.
pub const DATA_DIR: &str = "data";

/// One shard of the search data as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ShardRef {
    /// Its name: two digits.
    pub name: String,
    /// Its file, relative to `site/`.
    pub file: String,
    /// How many entries it holds.
    pub rows: usize,
    /// The sha256 of its file.
    pub sha256: String,
}

/// The manifest embedded in `index.html`.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    version: u32,
    shards: &'a [ShardRef],
}

/// The shard an agency's entries are in: a digest of its code, so the
/// boundaries depend on nothing else.
pub fn shard_of(agency_code: &str) -> usize {
    use sha2::{Digest, Sha256};
    usize::from(Sha256::digest(agency_code.as_bytes())[0]) % SHARDS
}

/// The text of a shard's file: a script that hands its data to the page.
pub fn shard_script(name: &str, json: &str) -> String {
    format!("(window.YIMA_SHARDS = window.YIMA_SHARDS || {{}})[\"{name}\"] = {json};\n")
}

/// The context of `site/stats.html`.
#[derive(Debug, Serialize)]
pub struct StatsPage<'a> {
    pub site: Site<'a>,
    /// The catalog's indicators, one card each.
    pub cards: Vec<Card>,
    pub charts: Vec<BarChart>,
    /// The whole catalog's line of the agency table.
    pub total: IndicatorRow,
    /// One line per agency, by 实施主体编码.
    pub agencies: Vec<IndicatorRow>,
}

/// One indicator as a card: its name, its value, how it was computed.
#[derive(Debug, Serialize)]
pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
}

/// The indicators of one agency (or of all) as the table prints them.
#[derive(Debug, Serialize)]
pub struct IndicatorRow {
    pub name: String,
    /// 实施主体编码; empty for the whole catalog.
    pub code: String,
    /// The catalog page filtered to this agency; empty for the whole catalog.
    pub href: String,
    pub entries: u64,
    pub instant: String,
    pub compression: String,
    pub at_most_one_visit: String,
    pub zero_visits: String,
    pub fully_online: String,
    pub materials_per_entry: String,
    pub e_license_materials: String,
    pub charged: String,
    pub shared_scope: String,
    pub online_depth_full: String,
    pub full_elements: String,
}

/// The folder of the build root the site is written to.
pub const DIR: &str = "site";

/// Writes the site under `site/` of the plan's tree; returns the number of
/// files written. A shard or page is rendered only when the previous
/// build's copy is not proven current.
pub fn write(ctx: &BuildContext<'_>, plan: &Plan<'_>) -> Result<usize, PublishError> {
    let templates = Templates::load(ctx.workspace)?;
    let standard = &ctx.workspace.standard;
    let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); SHARDS];
    for (i, e) in ctx.entries.iter().enumerate() {
        by_shard[shard_of(&e.summary().agency_code)].push(i);
    }
    let json_error =
        |e: serde_json::Error| PublishError::Template(format!("{INDEX_TEMPLATE}: {e}"));
    let written = std::sync::atomic::AtomicUsize::new(0);
    let shards: Vec<ShardRef> = {
        use rayon::prelude::*;
        by_shard
            .par_iter()
            .enumerate()
            .filter(|(_, entries)| !entries.is_empty())
            .map(|(n, entries)| -> Result<ShardRef, PublishError> {
                let name = format!("{n:02}");
                let file = format!("{DATA_DIR}/{name}.js");
                let rel = format!("{DIR}/{file}");
                // (A shard shows the entries' content alone: a release takes
                // the build's.)
                let key = plan.content_key(ctx, &rel, entries.iter().copied());
                let reused = plan.out.reuse_digests(&key, &[&rel]);
                let sha256 = if let Some(mut digests) = reused {
                    digests.pop().unwrap_or_default()
                } else {
                    let (search, _) = data::build(&ctx.parsed(entries), standard);
                    let text =
                        shard_script(&name, &data::script_json(&search).map_err(json_error)?);
                    plan.out.write(&rel, &key, text.as_bytes())?;
                    written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    crate::fsx::sha256_hex(text.as_bytes())
                };
                Ok(ShardRef {
                    name,
                    file,
                    rows: entries.len(),
                    sha256,
                })
            })
            .collect::<Result<_, _>>()?
    };
    // (The pages are made side by side: the statistics page counts every
    // entry, the index lists every filter's values; both from the tallies
    // of the agencies, made once, when one of them is rendered.)
    let tallies_made = std::sync::OnceLock::new();
    let tallies = || tallies_made.get_or_init(|| agency_tallies(ctx, plan));
    use rayon::prelude::*;
    let pages = FILES
        .par_iter()
        .map(|(file, template)| -> Result<usize, PublishError> {
            let template = *template;
            let rel = format!("{DIR}/{file}");
            let key = match template {
                INDEX_TEMPLATE | STATS_TEMPLATE => plan.all_key(&rel),
                _ => plan.group_key(&rel, []),
            };
            if plan.out.reuse(&key, &[&rel]) {
                return Ok(0);
            }
            let text = match template {
                INDEX_TEMPLATE => {
                    let filters = data::merge(tallies().iter().map(|(_, t)| &t.filters));
                    let manifest = Manifest {
                        version: data::VERSION,
                        shards: &shards,
                    };
                    let index = IndexPage {
                        site: site(ctx, "index"),
                        filters,
                        data: data::script_json(&manifest).map_err(json_error)?,
                        shards: shards.clone(),
                    };
                    templates.render(template, &index)?
                }
                STATS_TEMPLATE => {
                    let by_agency = tallies().iter().map(|(code, t)| AgencyStats {
                        agency_code: code.to_string(),
                        agency: t.agency.clone(),
                        indicators: t.indicators.clone(),
                    });
                    let stats = Stats::of_agencies(by_agency.collect(), standard);
                    templates.render(template, &StatsPage::new(site(ctx, "stats"), &stats))?
                }
                // The stylesheet and script take no values; rendering them
                // still lets a workspace override them like any template.
                _ => templates.render(template, &())?,
            };
            plan.out.write(&rel, &key, text.as_bytes())?;
            Ok(1)
        });
    let pages: Vec<usize> = pages.collect::<Result<_, _>>()?;
    if tallies_made.get().is_none() {
        // (Pages kept as they were: their tallies are kept with them.)
        plan.out.tallies().keep_all();
    }
    Ok(written.into_inner() + pages.iter().sum::<usize>())
}

fn site<'a>(ctx: &'a BuildContext<'_>, page: &'static str) -> Site<'a> {
    let mut downloads = vec![
        Download {
            href: format!("../{}", catalogs::XLSX_FILE),
            label: "完整目录（Excel）".into(),
        },
        Download {
            href: format!("../{}", catalogs::CSV_FILE),
            label: "完整目录（CSV）".into(),
        },
        Download {
            href: format!("../{}", catalogs::JSON_FILE),
            label: "完整目录（JSON）".into(),
        },
    ];
    for c in catalogs::LEVEL_CATALOGS {
        downloads.push(Download {
            href: format!("../{}/{}", catalogs::CATALOG_DIR, c.file),
            label: c.title.into(),
        });
    }
    downloads.push(Download {
        href: format!("../{}/{}", catalogs::CATALOG_DIR, catalogs::FORWARDED_FILE),
        label: catalogs::FORWARDED_FILE
            .trim_end_matches(".xlsx")
            .to_string(),
    });
    Site {
        catalog: &ctx.workspace.config.release_name,
        version: &ctx.version,
        entries: ctx.entries.len(),
        page,
        downloads,
    }
}

impl<'a> StatsPage<'a> {
    fn new(site: Site<'a>, stats: &Stats) -> StatsPage<'a> {
        let t = &stats.total;
        let cards = vec![
            Card {
                label: "事项总数",
                value: t.entries.to_string(),
                detail: format!("{} 个实施主体", stats.by_agency.len()),
            },
            share_card("即办件占比", &t.instant, "项", "为即办件"),
            Card {
                label: "承诺时限压缩率",
                value: compression(&t.compression),
                detail: format!(
                    "1 − 承诺 {} ÷ 法定 {} 个工作日",
                    t.compression.promised_days, t.compression.statutory_days
                ),
            },
            share_card("只跑一次", &t.at_most_one_visit, "项", "到现场不超过 1 次"),
            share_card("零跑腿", &t.zero_visits, "项", "无需到现场"),
            share_card("全程网办", &t.fully_online, "项", "可全程网上办理"),
            Card {
                label: "每事项材料数",
                value: per_entry(&t.materials_per_entry),
                detail: format!("共 {} 份申请材料", t.materials),
            },
            share_card(
                "电子证照材料占比",
                &t.e_license_materials,
                "份",
                "可用电子证照",
            ),
            share_card("收费事项占比", &t.charged, "项", "收费"),
            share_card(
                "通办事项占比",
                &t.shared_scope,
                "项",
                "全省、全市或全县通办",
            ),
            share_card(
                "网办深度四级",
                &t.online_depth_full,
                "项",
                "为四级（全程网办）",
            ),
            share_card("全要素占比", &t.full_elements, "项", "全要素齐全"),
        ];
        let by_agency: Vec<crate::stats::Tally> = stats
            .by_agency
            .iter()
            .map(|a| crate::stats::Tally {
                name: a.agency.clone(),
                count: a.indicators.entries,
            })
            .collect();
        let charts = vec![
            charts::counts("category", "按事项类型", Span::Half, &t.by_category),
            charts::counts("level", "按行使层级", Span::Half, &t.by_level),
            charts::counts("agency", "按实施主体", Span::Full, &by_agency),
            charts::shares(
                "shares",
                "主要指标",
                Span::Full,
                &[
                    share("即办件占比", &t.instant),
                    (
                        "承诺时限压缩率",
                        t.compression.rate,
                        format!(
                            "承诺 {}/法定 {} 日",
                            t.compression.promised_days, t.compression.statutory_days
                        ),
                    ),
                    share("只跑一次", &t.at_most_one_visit),
                    share("零跑腿", &t.zero_visits),
                    share("全程网办", &t.fully_online),
                    share("电子证照材料占比", &t.e_license_materials),
                    share("收费事项占比", &t.charged),
                    share("通办事项占比", &t.shared_scope),
                    share("网办深度四级", &t.online_depth_full),
                    share("全要素占比", &t.full_elements),
                ],
            ),
        ];
        StatsPage {
            site,
            cards,
            charts,
            total: IndicatorRow::new("全部事项".into(), String::new(), t),
            agencies: stats
                .by_agency
                .iter()
                .map(IndicatorRow::of_agency)
                .collect(),
        }
    }
}

impl IndicatorRow {
    fn new(name: String, code: String, i: &Indicators) -> IndicatorRow {
        IndicatorRow {
            href: if code.is_empty() {
                String::new()
            } else {
                format!("index.html?agency={}", query_value(&code))
            },
            name,
            code,
            entries: i.entries,
            instant: percent(&i.instant),
            compression: compression(&i.compression),
            at_most_one_visit: percent(&i.at_most_one_visit),
            zero_visits: percent(&i.zero_visits),
            fully_online: percent(&i.fully_online),
            materials_per_entry: per_entry(&i.materials_per_entry),
            e_license_materials: percent(&i.e_license_materials),
            charged: percent(&i.charged),
            shared_scope: percent(&i.shared_scope),
            online_depth_full: percent(&i.online_depth_full),
            full_elements: percent(&i.full_elements),
        }
    }

    fn of_agency(a: &AgencyStats) -> IndicatorRow {
        IndicatorRow::new(a.agency.clone(), a.agency_code.clone(), &a.indicators)
    }
}

/// A share as a card: `16 项中 10 项为即办件`.
fn share_card(label: &'static str, s: &Share, unit: &str, what: &str) -> Card {
    Card {
        label,
        value: percent(s),
        detail: format!("{} {unit}中 {} {unit}{what}", s.denominator, s.numerator),
    }
}

/// A share as a bar of the shares chart.
fn share(label: &'static str, s: &Share) -> (&'static str, Option<f64>, String) {
    (label, s.ratio, charts::fraction(s))
}

/// Text as a URL query value: unreserved ASCII kept, every other byte
/// percent-encoded.
fn query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A share as a percentage, or — when there is nothing to divide.
fn percent(s: &Share) -> String {
    s.ratio.map_or_else(|| "—".to_string(), charts::percent)
}

fn compression(c: &Compression) -> String {
    c.rate.map_or_else(|| "—".to_string(), charts::percent)
}

/// Materials per entry, with one decimal.
fn per_entry(s: &Share) -> String {
    s.ratio
        .map_or_else(|| "—".to_string(), |r| format!("{r:.1}"))
}

/// The tally of each agency (in code order) of the build: kept by the
/// previous build when its entries' content is the same, else counted from
/// its entries ([`tallies`]).
fn agency_tallies<'c>(
    ctx: &'c BuildContext<'_>,
    plan: &Plan<'_>,
) -> Vec<(&'c str, tallies::Tally)> {
    use rayon::prelude::*;
    let standard = &ctx.workspace.standard;
    let mut by_agency: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, e) in ctx.entries.iter().enumerate() {
        by_agency
            .entry(&e.summary().agency_code)
            .or_default()
            .push(i);
    }
    let by_agency: Vec<(&str, Vec<usize>)> = by_agency.into_iter().collect();
    by_agency
        .into_par_iter()
        .map(|(code, indices)| {
            let key =
                plan.content_key(ctx, &format!("site tally\0{code}"), indices.iter().copied());
            let tally = plan.out.tallies().get(&key, || {
                let list = ctx.parsed(&indices);
                tallies::Tally {
                    agency: list.first().map(|e| e.agency.clone()).unwrap_or_default(),
                    indicators: Indicators::compute(&list, standard),
                    filters: data::counts(&list, standard),
                }
            });
            (code, tally)
        })
        .collect()
}
