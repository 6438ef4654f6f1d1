//! Why a file cannot be read as a filing ([`ReadError`]), and what to tell
//! the user about it — what the file is, in their words, and what to do —
//! in both languages.

use crate::filing::sniff::FileKind;

/// Why a file could not be read as a filing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file has no bytes.
    #[error("file is empty")]
    Empty,
    /// The workbook is encrypted.
    #[error("workbook is password protected")]
    Password,
    /// Not a workbook yima reads: what the file is instead, and the
    /// reader's own words (shown in English only).
    #[error("not a workbook ({kind:?}): {detail}")]
    NotWorkbook { kind: FileKind, detail: String },
    /// A sheet could not be decoded.
    #[error("sheet {sheet}: {detail}")]
    Sheet { sheet: String, detail: String },
    /// A CSV file whose text is neither UTF-8 nor GB18030.
    #[error("text is neither UTF-8 nor GB18030")]
    Encoding,
    /// A malformed CSV file, at a line when known.
    #[error("CSV: {detail}")]
    Csv { line: Option<u64>, detail: String },
    /// The file could not be opened.
    #[error("{detail}")]
    Io {
        kind: std::io::ErrorKind,
        detail: String,
    },
    /// Not a regular file (a pipe, a device, a folder), as said in both
    /// languages: only regular files are read.
    #[error("not a regular file: {}", .0.en)]
    NotAFile(crate::diag::Text),
    /// A folder that cannot be listed.
    #[error("the folder cannot be read: {0}")]
    Folder(String),
    /// Bigger than any filing (see `limits`): what and how, in both
    /// languages.
    #[error("{}", .0.en)]
    TooLarge(crate::diag::Text),
    /// Damaged content: what and where, in both languages.
    #[error("{}", .0.en)]
    Damaged(crate::diag::Text),
}

impl ReadError {
    /// A file that is not a workbook yima reads, told by its bytes.
    pub fn not_workbook(bytes: &[u8], detail: impl Into<String>) -> ReadError {
        match crate::filing::sniff::sniff(bytes) {
            FileKind::Encrypted => ReadError::Password,
            kind => ReadError::NotWorkbook {
                kind,
                detail: detail.into(),
            },
        }
    }

    /// What to tell the user, in both languages: what the file is, in the
    /// user's words — never a library's English error in Chinese mode.
    pub fn describe(&self) -> crate::diag::Text {
        use crate::text;
        match self {
            ReadError::Empty => text!(
                "文件为空（0 字节），不是有效的填报表",
                "the file is empty (0 bytes)"
            ),
            ReadError::Password => text!(
                "工作簿设置了打开密码（已加密），无法读取",
                "the workbook is password protected (encrypted) and cannot be read"
            ),
            ReadError::NotWorkbook { kind, detail } => describe_kind(kind, detail),
            ReadError::Sheet { sheet, detail } => text!(
                "工作表“{sheet}”已损坏，无法读取",
                "sheet `{sheet}` cannot be read: {detail}"
            ),
            ReadError::Encoding => text!(
                "CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）",
                "the CSV text is neither UTF-8 nor GBK/GB18030"
            ),
            ReadError::Csv {
                line: Some(line),
                detail,
            } => text!(
                "CSV 文件第 {line} 行格式错误，无法读取",
                "malformed CSV at line {line}: {detail}"
            ),
            ReadError::Csv { line: None, detail } => {
                text!("CSV 文件格式错误，无法读取", "malformed CSV: {detail}")
            }
            ReadError::Io { kind, detail } => {
                use std::io::ErrorKind as K;
                let zh = match kind {
                    K::NotFound => "文件不存在（可能已被移动或删除）",
                    K::PermissionDenied => {
                        "没有读取该文件的权限（文件可能正被其他程序以独占方式打开）"
                    }
                    K::IsADirectory => "这是一个文件夹，不是文件",
                    _ => "文件无法打开（读取时出错）",
                };
                crate::diag::Text::new(zh, format!("the file cannot be opened: {detail}"))
            }
            ReadError::NotAFile(kind) => {
                let (zh, en) = (&kind.zh, &kind.en);
                text!(
                    "不是普通文件（{zh}），不予读取",
                    "not a regular file ({en}): not read"
                )
            }
            ReadError::Folder(m) => text!("文件夹无法读取：{m}", "the folder cannot be read: {m}"),
            ReadError::TooLarge(t) | ReadError::Damaged(t) => t.clone(),
        }
    }

    /// What to do about it, in both languages.
    pub fn help(&self) -> crate::diag::Text {
        use crate::text;
        let save_as = || {
            text!(
                "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx），或导出为 UTF-8 编码的 CSV。",
                "open it in Excel or WPS and save it as an Excel workbook (.xlsx), or export UTF-8 CSV."
            )
        };
        match self {
            ReadError::Password => text!(
                "请在 Excel 或 WPS 中打开，去掉打开密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码），另存为 .xlsx（不设密码）后再检查。",
                "open it in Excel or WPS, remove the opening password and save it as .xlsx without a password."
            ),
            ReadError::Empty => text!(
                "文件没有内容，可能是复制或下载时中断了；请重新获取原文件。",
                "the file has no content: the copy or download probably stopped; get the original file again."
            ),
            ReadError::NotWorkbook { kind, .. } => help_kind(kind),
            ReadError::Sheet { .. } => save_as(),
            ReadError::Encoding | ReadError::Csv { .. } => text!(
                "请用 Excel 或 WPS 打开后另存为 .xlsx，或另存为“CSV UTF-8（逗号分隔）”。",
                "open it in Excel or WPS and save it as .xlsx, or as “CSV UTF-8 (comma delimited)”."
            ),
            ReadError::Io { .. } => text!(
                "请关闭正在使用该文件的程序，确认文件还在原处且有读取权限后再检查。",
                "close the programs using the file, make sure it is still there and readable, and check again."
            ),
            ReadError::Folder(_) => text!(
                "请检查该文件夹的访问权限；其余文件照常检查。",
                "check the folder's permissions; the other files are checked as usual."
            ),
            ReadError::NotAFile(_) => text!(
                "只读取普通文件：请把填报表保存为普通文件后再检查。",
                "only regular files are read: save the filing as a regular file and check it again."
            ),
            ReadError::TooLarge(_) => text!(
                "填报表远大于任何真实填报所需：请确认文件无误，删去多余的行列、图片和空白工作表后另存为 .xlsx 再检查。",
                "the file is far bigger than any filing needs: make sure it is the right file, remove extra rows, columns, pictures and blank sheets, save it as .xlsx and check again."
            ),
            ReadError::Damaged(_) => save_as(),
        }
    }
}

/// What a file that is not a workbook is, in both languages.
fn describe_kind(kind: &FileKind, detail: &str) -> crate::diag::Text {
    use crate::text;
    match kind {
        FileKind::Word { legacy: false } => text!(
            "这是一个 Word 文档（.docx），不是 Excel 工作簿",
            "this is a Word document (.docx), not an Excel workbook"
        ),
        FileKind::Word { legacy: true } => text!(
            "这是一个 Word 97-2003 文档（.doc），不是 Excel 工作簿",
            "this is a Word 97-2003 document (.doc), not an Excel workbook"
        ),
        FileKind::PowerPoint => text!(
            "这是一个 PowerPoint 演示文稿，不是 Excel 工作簿",
            "this is a PowerPoint presentation, not an Excel workbook"
        ),
        FileKind::OpenDocument => text!(
            "这是一个 OpenDocument 文本或演示文稿（.odt/.odp），不是表格",
            "this is an OpenDocument text or presentation (.odt/.odp), not a spreadsheet"
        ),
        FileKind::Pdf => text!(
            "这是一个 PDF 文件，不是 Excel 工作簿",
            "this is a PDF file, not an Excel workbook"
        ),
        FileKind::Image(format) => text!(
            "这是一张图片（{format}），不是 Excel 工作簿",
            "this is an image ({format}), not an Excel workbook"
        ),
        FileKind::Html => text!(
            "这是一个网页（HTML）文件，只是扩展名像工作簿；许多系统导出的“xls”其实是网页",
            "this is a web page (HTML) under a workbook's extension, as many systems export “xls” files"
        ),
        FileKind::Xml2003 => text!(
            "这是 Excel 2003 XML 表格，yima 不读取这种旧格式",
            "this is an Excel 2003 XML spreadsheet, an old format yima does not read"
        ),
        FileKind::Encrypted => text!(
            "工作簿设置了打开密码（已加密），无法读取",
            "the workbook is password protected (encrypted) and cannot be read"
        ),
        FileKind::Archive(names) => {
            let names = names.join("、");
            text!(
                "这是一个 zip 压缩包，不是工作簿（其中有：{names}）",
                "this is a zip archive, not a workbook (it holds: {names})"
            )
        }
        FileKind::OtherArchive(format) => text!(
            "这是一个 {format} 压缩包，不是工作簿",
            "this is a {format} archive, not a workbook"
        ),
        FileKind::Rtf => text!(
            "这是一个 RTF 文档，不是 Excel 工作簿",
            "this is an RTF document, not an Excel workbook"
        ),
        FileKind::Text => text!(
            "这是一个文本文件（可能是 CSV），不是 Excel 工作簿",
            "this is a text file (perhaps CSV), not an Excel workbook"
        ),
        FileKind::DamagedWorkbook => text!(
            "工作簿已损坏或不完整（文件结构残缺，可能是复制或下载时中断了）",
            "the workbook is damaged or incomplete ({detail})"
        ),
        FileKind::Unknown => text!(
            "不是 Excel、WPS 或 OpenDocument 工作簿，也不是 CSV（无法识别的文件格式）",
            "not an Excel, WPS or OpenDocument workbook, nor CSV (unrecognized format: {detail})"
        ),
    }
}

/// What to do with a file that is not a workbook, in both languages.
fn help_kind(kind: &FileKind) -> crate::diag::Text {
    use crate::text;
    match kind {
        FileKind::Word { .. } | FileKind::OpenDocument | FileKind::Rtf | FileKind::PowerPoint => {
            text!(
                "事项要填在填报表（Excel/WPS 表格）中：用 yima template 生成填报表，把内容填进“事项”和“申请材料”两个工作表后再检查。",
                "entries are filed in the filing workbook: write one with `yima template`, fill its sheets 事项 and 申请材料, and check that."
            )
        }
        FileKind::Pdf | FileKind::Image(_) => text!(
            "PDF、图片和扫描件无法检查；请提交填报表的原始文件（.xlsx）。",
            "PDFs, images and scans cannot be checked: send the filing workbook itself (.xlsx)."
        ),
        FileKind::Html | FileKind::Xml2003 => text!(
            "请用 Excel 或 WPS 打开它，再“另存为”Excel 工作簿（.xlsx）后检查。",
            "open it in Excel or WPS and save it as an Excel workbook (.xlsx), then check that."
        ),
        FileKind::Encrypted => text!(
            "请在 Excel 或 WPS 中打开，去掉打开密码后另存为 .xlsx（不设密码）再检查。",
            "open it in Excel or WPS, remove the opening password and save it as .xlsx without a password."
        ),
        FileKind::Archive(_) | FileKind::OtherArchive(_) => text!(
            "请先解压，再检查解压出的文件夹（yima check 文件夹）。",
            "unpack it first and check the folder it gives (yima check FOLDER)."
        ),
        FileKind::Text => text!(
            "若是 CSV 填报，请把扩展名改为 .csv，并按“单位名-事项.csv”“单位名-申请材料.csv”成对命名；否则请用 Excel 或 WPS 另存为 .xlsx。",
            "if it is a CSV filing, rename it to .csv as a pair “NAME-事项.csv” and “NAME-申请材料.csv”; otherwise save it as .xlsx from Excel or WPS."
        ),
        FileKind::DamagedWorkbook => text!(
            "请用 Excel 或 WPS 打开并“另存为”.xlsx；若打不开，请向报送单位重新索取原文件。",
            "open it in Excel or WPS and save it as .xlsx; if it does not open, ask the sender for the original file again."
        ),
        FileKind::Unknown => text!(
            "请提交 Excel 或 WPS 工作簿（.xlsx、.xls、.et 另存的 .xlsx）或 UTF-8 编码的 CSV。",
            "send an Excel or WPS workbook (.xlsx or .xls) or UTF-8 CSV."
        ),
    }
}
