//! The schema.org markup of a guide page: one `GovernmentService`
//! (https://schema.org/GovernmentService) with what the page shows — name,
//! category, both codes, the agency and its 统一社会信用代码, the area, the
//! audience, each channel (a window with its place and phone, online with
//! its address; the promised time on the channel), the hours, the fee and
//! the result — for search engines and the platform's crawlers. The guide
//! template embeds it in a `<script type="application/ld+json">` block.

use crate::catalog::CatalogEntry;
use crate::codes::registry::display_name;
use serde::Serialize;

/// `GovernmentService`.
#[derive(Debug, Serialize)]
pub struct GovernmentService<'a> {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(rename = "serviceType", skip_serializing_if = "str::is_empty")]
    pub service_type: &'a str,
    pub identifier: Vec<PropertyValue<'a>>,
    pub provider: Provider<'a>,
    #[serde(rename = "areaServed", skip_serializing_if = "Option::is_none")]
    pub area_served: Option<Area<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<Audience<'a>>,
    #[serde(rename = "availableChannel", skip_serializing_if = "Vec::is_empty")]
    pub available_channel: Vec<Channel<'a>>,
    #[serde(rename = "hoursAvailable", skip_serializing_if = "Option::is_none")]
    pub hours_available: Option<Hours<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offers: Option<Offer<'a>>,
    #[serde(rename = "serviceOutput", skip_serializing_if = "Option::is_none")]
    pub service_output: Option<Thing<'a>>,
}

/// A code and what it is.
#[derive(Debug, Serialize)]
pub struct PropertyValue<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(rename = "propertyID")]
    pub property_id: &'static str,
    pub value: &'a str,
}

impl<'a> PropertyValue<'a> {
    fn new(property_id: &'static str, value: &'a str) -> Self {
        PropertyValue {
            kind: "PropertyValue",
            property_id,
            value,
        }
    }
}

/// The agency, a `GovernmentOrganization`.
#[derive(Debug, Serialize)]
pub struct Provider<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: &'a str,
    pub identifier: PropertyValue<'a>,
}

/// The division, an `AdministrativeArea`.
#[derive(Debug, Serialize)]
pub struct Area<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    pub identifier: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Audience<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(rename = "audienceType")]
    pub audience_type: &'a str,
}

/// A `ServiceChannel`: a window with its place, online with its address.
#[derive(Debug, Serialize)]
pub struct Channel<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: &'a str,
    #[serde(rename = "serviceLocation", skip_serializing_if = "Option::is_none")]
    pub service_location: Option<Place<'a>>,
    #[serde(rename = "serviceUrl", skip_serializing_if = "Option::is_none")]
    pub service_url: Option<&'a str>,
    #[serde(rename = "servicePhone", skip_serializing_if = "Option::is_none")]
    pub service_phone: Option<ContactPoint<'a>>,
    /// The promised time, as an ISO 8601 duration of the days the page
    /// states (schema.org has no working days).
    #[serde(rename = "processingTime", skip_serializing_if = "Option::is_none")]
    pub processing_time: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Place<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub address: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ContactPoint<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub telephone: &'a str,
}

/// The hours as the page writes them.
#[derive(Debug, Serialize)]
pub struct Hours<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub description: &'a str,
}

/// The fee: 0 when free, else the standard as the page writes it.
#[derive(Debug, Serialize)]
pub struct Offer<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<&'static str>,
    #[serde(rename = "priceCurrency")]
    pub price_currency: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Thing<'a> {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: &'a str,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl<'a> GovernmentService<'a> {
    /// The markup of an entry's guide; `division_name` is the name the
    /// page shows beside the division code.
    pub fn of(e: &'a CatalogEntry, division_name: &'a str) -> GovernmentService<'a> {
        let phone = some(&e.contact_phone).map(|telephone| ContactPoint {
            kind: "ContactPoint",
            telephone,
        });
        let time = e.promised_days.map(|d| format!("P{d}D"));
        let channel = |name: &'a str| Channel {
            kind: "ServiceChannel",
            name,
            service_location: None,
            service_url: None,
            service_phone: phone.as_ref().map(|p| ContactPoint {
                kind: "ContactPoint",
                telephone: p.telephone,
            }),
            processing_time: time.clone(),
        };
        let channels = e
            .channels
            .iter()
            .map(|c| {
                let mut ch = channel(c);
                match c.as_str() {
                    "窗口办理" => {
                        ch.service_location = some(&e.address).map(|address| Place {
                            kind: "Place",
                            address,
                        })
                    }
                    "网上办理" | "移动端办理" => ch.service_url = some(&e.online_url),
                    _ => {}
                }
                ch
            })
            .collect();
        GovernmentService {
            context: "https://schema.org",
            kind: "GovernmentService",
            name: display_name(&e.name, &e.sub_name),
            service_type: &e.category,
            identifier: vec![
                PropertyValue::new("实施编码", &e.impl_code),
                PropertyValue::new("基本编码", &e.basic_code),
            ],
            provider: Provider {
                kind: "GovernmentOrganization",
                name: &e.agency,
                identifier: PropertyValue::new("统一社会信用代码", &e.agency_code),
            },
            area_served: (!e.division.is_empty()).then_some(Area {
                kind: "AdministrativeArea",
                name: division_name,
                identifier: &e.division,
            }),
            audience: e
                .audience
                .iter()
                .map(|a| Audience {
                    kind: "Audience",
                    audience_type: a,
                })
                .collect(),
            available_channel: channels,
            hours_available: some(&e.hours).map(|description| Hours {
                kind: "OpeningHoursSpecification",
                description,
            }),
            offers: e.charged.map(|charged| Offer {
                kind: "Offer",
                price: (!charged).then_some("0"),
                price_currency: "CNY",
                description: if charged { some(&e.fee_standard) } else { None },
            }),
            service_output: some(&e.result_name).map(|name| Thing {
                kind: "Thing",
                name,
            }),
        }
    }

    /// The JSON for a `<script type="application/ld+json">` block: `<`,
    /// `>` and `&` escaped, so no text of the entry can end the script.
    pub fn script(&self) -> String {
        let json = serde_json::to_string(self).expect("markup serializes");
        json.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_names_what_the_page_shows_and_cannot_end_its_script() {
        let e = CatalogEntry {
            impl_code: "11431300006140469E3430101001000".into(),
            basic_code: "430101001000".into(),
            name: "户口迁移".into(),
            category: "行政许可".into(),
            agency: "娄底市公安局</script><script>alert(1)".into(),
            agency_code: "11431300006140469E".into(),
            division: "431300".into(),
            audience: vec!["自然人".into()],
            channels: vec!["窗口办理".into(), "网上办理".into()],
            address: Some("娄底市政务服务中心".into()),
            online_url: Some("https://zwfw-new.hunan.gov.cn/".into()),
            contact_phone: Some("0738-8312345".into()),
            promised_days: Some(5),
            charged: Some(false),
            ..CatalogEntry::default()
        };
        let m = GovernmentService::of(&e, "娄底市");
        let s = m.script();
        assert!(!s.contains("</script"), "{s}");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["@type"], "GovernmentService");
        assert_eq!(
            v["identifier"][0]["value"],
            "11431300006140469E3430101001000"
        );
        assert_eq!(v["areaServed"]["name"], "娄底市");
        assert_eq!(
            v["availableChannel"][0]["serviceLocation"]["address"],
            "娄底市政务服务中心"
        );
        assert_eq!(
            v["availableChannel"][1]["serviceUrl"],
            "https://zwfw-new.hunan.gov.cn/"
        );
        assert_eq!(v["availableChannel"][1]["processingTime"], "P5D");
        assert_eq!(v["offers"]["price"], "0");
        assert!(v.get("serviceOutput").is_none());
        assert!(v.get("hoursAvailable").is_none());
    }
}
