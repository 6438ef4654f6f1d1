//! `yima schema`: prints the JSON Schema of a catalog entry file
//! (`items/**.yaml`), the same as `schemas/item.schema.json`.

use super::EXIT_OK;
use super::anyhow_free::Result;
use crate::catalog::CatalogEntry;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出格式
    #[arg(long, short = 'f', value_enum, default_value_t = SchemaFormat::JsonSchema)]
    pub format: SchemaFormat,
}

/// What `yima schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// 目录条目文件的 JSON Schema
    JsonSchema,
}

pub fn run(args: Args) -> Result<u8> {
    match args.format {
        SchemaFormat::JsonSchema => out!("{}", CatalogEntry::json_schema()),
    }
    Ok(EXIT_OK)
}
