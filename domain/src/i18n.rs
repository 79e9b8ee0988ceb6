//! Every word the portal shows a person, in zh-CN (the default) and English.
//!
//! Messages are an enum so a missing translation is a compile error, and so validation errors
//! can travel as keys (across the server/browser boundary too) and be rendered in the reader's
//! language at the last moment.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    /// Value of the `lang` cookie / query parameter; anything unknown is zh-CN.
    #[must_use]
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::ZhCn
        }
    }
    /// BCP 47 tag for `<html lang>`.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A message key; [`Msg::text`] gives the words.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Msg { $($key),* }

        impl Msg {
            /// All keys, for completeness tests.
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            #[must_use]
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::ZhCn) => $zh, (Msg::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    // Site frame
    SiteName => "平安键", "Ping'an Key";
    SiteTagline => "找谁反映、向谁求助、不敢说的事，都可以在这里说。", "Where to report, whom to tell, what you are afraid to say: say it here.";
    SkipToContent => "跳到主要内容", "Skip to main content";
    SwitchLanguage => "English", "中文";
    SwitchLanguageLabel => "English（切换到英文）", "中文 (switch to Chinese)";
    ElderOn => "大字模式", "Large text";
    ElderOff => "标准模式", "Standard view";
    ReadAloud => "朗读本页", "Read this page aloud";
    ReadAloudStop => "停止朗读", "Stop reading";
    Emergency => "紧急情况请直接拨打 110（报警）、119（火警）、120（急救）。", "In an emergency call 110 (police), 119 (fire) or 120 (ambulance) directly.";
    FooterNote => "本平台由市社会治理中心运行。您的联系方式只对办理单位可见。", "Run by the city's social governance centre. Your contact details are visible only to the unit handling your appeal.";
    Back => "返回", "Back";
    Continue => "下一步", "Continue";
    Change => "修改", "Change";
    Home => "首页", "Home";
    NotFound => "找不到这个页面。", "We could not find this page.";
    GenericError => "出了点问题，请稍后再试。您已提交的内容没有丢失。", "Something went wrong. Please try again later. Nothing you submitted was lost.";
    // Home
    HomeSubmitTitle => "我要反映", "Report a problem";
    HomeSubmitHint => "纠纷、安全隐患、欠薪、意见建议……可以匿名。", "Disputes, hazards, unpaid wages, suggestions… anonymous if you wish.";
    HomeTrackTitle => "查进度", "Track my appeal";
    HomeTrackHint => "用回执上的受理编号和查询码查看办理情况。", "Use the ticket number and key from your receipt.";
    HomeLegalTitle => "法律帮助", "Legal help";
    HomeLegalHint => "法律常识、法律援助、身边的调解和法律服务点。", "Legal basics, legal aid, mediation and legal service points near you.";
    LegalStartAppeal => "提交法律援助申请", "Request legal aid";
    // Legal-aid information centre (issue 6): one block, kept together for merging.
    LegalLead => "常见法律问题的大白话说明、法律援助自测，以及身边的法律援助中心和调解组织。", "Plain-language answers to common legal problems, a legal-aid self-check, and the legal aid centres and mediation committees near you.";
    LegalTopicsTitle => "按事情找", "Find by topic";
    LegalToolsTitle => "自测和找机构", "Check and find help";
    LegalDisclaimer => "这是一般性法律信息，不是针对您个人情况的法律意见。", "This is general legal information, not legal advice about your own situation.";
    LegalTopicLabour => "工资和工作", "Wages and work";
    LegalTopicLabourHint => "欠薪、劳动合同、工伤、劳动仲裁", "Unpaid wages, contracts, work injuries, labour arbitration";
    LegalTopicFamily => "婚姻家庭", "Marriage and family";
    LegalTopicFamilyHint => "离婚、孩子抚养、赡养老人、继承、家庭暴力", "Divorce, child support, caring for parents, inheritance, domestic violence";
    LegalTopicNeighbours => "邻里之间", "Neighbours";
    LegalTopicNeighboursHint => "漏水、噪音、界线和通道", "Leaks, noise, boundaries and paths";
    LegalTopicProperty => "物业和房屋", "Property management and housing";
    LegalTopicPropertyHint => "物业费、维修资金", "Service fees, the repair fund";
    LegalTopicTraffic => "交通事故", "Traffic accidents";
    LegalTopicTrafficHint => "现场怎么办、赔偿怎么算", "What to do at the scene, how compensation works";
    LegalTopicConsumer => "买东西和消费", "Shopping and services";
    LegalTopicConsumerHint => "退换货、预付卡", "Returns and refunds, prepaid cards";
    LegalTopicLand => "征地拆迁", "Land acquisition and demolition";
    LegalTopicLandHint => "集体土地征收、城市房屋征收补偿", "Rural land acquisition, urban house expropriation";
    LegalTopicMediation => "调解", "Mediation";
    LegalTopicMediationHint => "人民调解、调解协议的司法确认", "People's mediation, court confirmation of agreements";
    LegalTopicLegalAid => "法律援助", "Legal aid";
    LegalTopicLegalAidHint => "谁能申请、怎么申请、12348 热线", "Who qualifies, how to apply, the 12348 hotline";
    LegalTopicEmpty => "这个主题暂时没有文章。", "There are no articles on this topic yet.";
    LegalAllTopics => "全部主题", "All topics";
    LegalLastReviewed => "最近审核：", "Last reviewed: ";
    LegalBasisLabel => "法律依据", "Legal basis";
    LegalRelated => "相关文章", "Related articles";
    LegalKindAidCenter => "法律援助中心", "Legal aid centre";
    LegalKindServiceCenter => "公共法律服务中心", "Public legal service centre";
    LegalKindServiceStation => "公共法律服务工作站", "Public legal service station";
    LegalKindJudicialOffice => "司法所", "Judicial office";
    LegalKindMediation => "人民调解委员会", "People's mediation committee";
    LegalDistanceM => "{n} 米", "{n} m";
    LegalDistanceKm => "{n} 公里", "{n} km";
    LegalServicesTitle => "法律服务机构", "Legal services near you";
    LegalServicesLead => "法律援助中心、公共法律服务中心和工作站、司法所、人民调解委员会，都不收费。", "Legal aid centres, public legal service centres and stations, judicial offices and people's mediation committees. All are free.";
    LegalKindLabel => "类型", "Kind";
    LegalAllKinds => "全部类型", "All kinds";
    LegalFilterApply => "查找", "Show";
    LegalNearMeTitle => "离我最近", "Nearest to me";
    LegalNearMeHint => "可以用手机定位按距离排序；不想定位的，按区县和街道查找。", "Use your phone's location to sort by distance, or choose your district and street instead.";
    LegalSortedByDistance => "按离您的距离排列。", "Sorted by distance from you.";
    LegalSortedByRegion => "先列出您所在街道和社区的机构，再列出区里的。", "Places in your street and community first, then the district's.";
    LegalPointsCount => "共 {n} 处", "{n} places";
    LegalNoServices => "没有找到符合条件的机构。", "No places match.";
    LegalAddressLabel => "地址", "Address";
    LegalPhoneLabel => "电话", "Phone";
    LegalHoursLabel => "办公时间", "Hours";
    LegalDistanceLabel => "距离", "Distance";
    LegalSearchTitle => "搜索法律知识", "Search legal information";
    LegalSearchLabel => "想了解什么？", "What are you looking for?";
    LegalSearchHint => "例如：工资、离婚、调解、交通事故", "For example: wages, divorce, mediation, traffic accident";
    LegalSearchButton => "搜索", "Search";
    LegalSearchEmpty => "请输入要找的内容。", "Type what you are looking for.";
    LegalSearchNone => "没有找到相关内容。换个说法试试，或者拨打 12348 法律服务热线咨询。", "Nothing found. Try other words, or call the 12348 legal services hotline.";
    LegalSearchArticles => "文章", "Articles";
    LegalSearchServices => "服务机构", "Places";
    LegalSearchResultsFor => "“{q}”的搜索结果", "Results for “{q}”";
    // issue 9 §6
    ApiBadArguments => "请求的参数不对：缺少、格式不对或太长。", "The request's arguments are not right: missing, malformed or too long.";
    ErrBadRequest => "没能读懂提交的内容，请返回上一页重新填写。", "We could not read what was sent. Please go back and fill in the form again.";
    ErrTooLarge => "提交的内容太大了，请删减后再试。", "What you sent is too large. Please make it smaller and try again.";
    LegalEligibilityTitle => "法律援助自测", "Legal aid self-check";
    LegalEligibilityLead => "回答两三个问题，看看您是否可能获得免费的法律援助。不用填写姓名和电话。", "Answer two or three questions to see whether you may get free legal aid. No name or phone number needed.";
    LegalAidQuestionOf => "第 {n} 个问题", "Question {n}";
    LegalAidChooseOne => "请选择一项", "Please choose one";
    LegalAidStandard => "本市标准（由市司法局公布）：家庭人均每月收入 {limit} 元", "The city's standard (published by the municipal justice bureau): household income of {limit} yuan per person per month";
    LegalAidQMatter => "您遇到的是哪一类事情？", "What is your matter about?";
    LegalAidQMatterHint => "选最接近的一项。", "Choose the closest one.";
    LegalAidQGroup => "下面的情况，有符合您的吗？", "Does any of these describe you?";
    LegalAidQGroupHint => "符合这些情况的，申请法律援助不看经济条件。", "In these situations legal aid does not depend on your income.";
    LegalAidQMeans => "您家的经济状况是？", "What are your household's means?";
    LegalAidQMeansHint => "按家庭成员平均，每人每月的收入。", "Monthly income per household member, on average.";
    LegalAidMatterStateCompensation => "要求国家赔偿", "Claiming state compensation";
    LegalAidMatterSocialInsurance => "要求社会保险待遇或者社会救助", "Claiming social insurance benefits or social assistance";
    LegalAidMatterPension => "要求发给抚恤金", "Claiming a survivor's pension (抚恤金)";
    LegalAidMatterMaintenance => "要求给付赡养费、抚养费、扶养费", "Claiming support for parents, children or a spouse";
    LegalAidMatterLabour => "要求确认劳动关系或者支付工资（劳动报酬）", "Having an employment relationship confirmed, or claiming unpaid wages";
    LegalAidMatterCapacity => "要求认定家人无民事行为能力或者限制民事行为能力", "Having a relative declared without or with limited legal capacity";
    LegalAidMatterInjury => "工伤、交通事故、食品药品安全事故、医疗事故造成的人身损害赔偿", "Compensation for injury from a work accident, traffic accident, food or drug incident, or medical accident";
    LegalAidMatterEnvironment => "环境污染、生态破坏造成的损害赔偿", "Compensation for environmental pollution or ecological damage";
    LegalAidMatterOtherByLaw => "法律、法规、规章规定的其他情形", "Another matter that a law or regulation covers";
    LegalAidMatterCriminal => "刑事案件（为自己或家人辩护、代理）", "A criminal case (defence or representation)";
    LegalAidMatterNotListed => "以上都不是", "None of these";
    LegalAidGroupHero => "英雄烈士的近亲属，为维护英雄烈士的人格权益", "Close relative of a hero or martyr, defending their honour";
    LegalAidGroupBravery => "因见义勇为，主张相关民事权益", "Claiming civil rights arising from an act of bravery (见义勇为)";
    LegalAidGroupAcquitted => "再审改判无罪，请求国家赔偿", "Acquitted on retrial, claiming state compensation";
    LegalAidGroupAbuse => "遭受虐待、遗弃或者家庭暴力，主张相关权益", "A victim of abuse, abandonment or domestic violence";
    LegalAidGroupOtherByLaw => "法律、法规、规章规定的其他情形", "Another situation that a law or regulation names";
    LegalAidGroupNone => "以上都不是", "None of these";
    LegalAidMeansAssistance => "正在领取低保，或者是特困供养人员", "We receive minimum living allowance (低保) or extreme-poverty support (特困供养)";
    LegalAidMeansBelow => "每人每月收入不高于本市标准（{limit} 元）", "At or below the city's standard ({limit} yuan per person per month)";
    LegalAidMeansAbove => "每人每月收入高于本市标准（{limit} 元）", "Above the city's standard ({limit} yuan per person per month)";
    LegalAidMeansUnsure => "说不清楚", "I am not sure";
    LegalAidResultLikely => "您可能符合法律援助条件", "You may well qualify for legal aid";
    LegalAidResultUnlikely => "您可能不符合法律援助条件", "You may not qualify for legal aid";
    LegalAidResultDepends => "要看具体情况，请咨询法律援助中心", "It depends: ask the legal aid centre";
    LegalAidWhyTitle => "为什么", "Why";
    LegalAidWhyCriminal => "刑事案件的法律援助有专门规定，有些情况不论经济状况都会指派律师。请直接问法律援助中心或拨打 12348。", "Criminal cases have their own legal-aid rules; in some a lawyer is appointed whatever your means. Ask the legal aid centre or call 12348.";
    LegalAidWhyExempt => "您说的情况属于《法律援助法》第三十二条，申请法律援助不受经济困难条件的限制。", "Your situation is one of those in article 32 of the Legal Aid Law: legal aid does not depend on your income.";
    LegalAidWhyMatterListed => "您的事情属于《法律援助法》第三十一条列明的法律援助事项。", "Your matter is one that article 31 of the Legal Aid Law covers.";
    LegalAidWhyMatterOther => "其他法律、法规、规章规定的事项，要由法律援助中心按规定判断。", "For matters covered by other laws and regulations, the legal aid centre decides under those rules.";
    LegalAidWhyMatterNotListed => "您的事情不在《法律援助法》列明的事项里。不过本地可能扩大了范围，可以拨打 12348 问一问。", "Your matter is not among those the Legal Aid Law lists. Local rules may cover more: call 12348 to ask.";
    LegalAidWhyGroupOther => "如果其他法律、法规、规章免除了经济条件，要由法律援助中心核实。", "If another law or regulation waives the income test, the legal aid centre will check it.";
    LegalAidWhyMeansAssistance => "领取低保或者特困供养的，直接视为符合经济困难标准。", "Receiving 低保 or 特困供养 meets the financial standard by itself.";
    LegalAidWhyMeansBelow => "您家每人每月收入不高于本市标准。", "Your household income per person is at or below the city's standard.";
    LegalAidWhyMeansAbove => "您家每人每月收入高于本市标准。", "Your household income per person is above the city's standard.";
    LegalAidWhyMeansUnsure => "经济状况说不清楚的，法律援助中心会帮您核对；也可以填写个人诚信承诺书。", "If you are unsure about your means, the centre will check with you; you can also sign a personal declaration.";
    LegalAidYourAnswers => "您的回答", "Your answers";
    LegalAidChange => "修改", "Change";
    LegalAidNotDecision => "自测结果只供参考。能不能获得法律援助，由法律援助机构审查决定。", "This is only a guide. The legal aid centre decides after reviewing your application.";
    LegalAidDocsTitle => "申请时要带的材料", "What to bring";
    LegalAidDocId => "居民身份证或者其他身份证明", "Your ID card or other proof of identity";
    LegalAidDocResidence => "户口簿或者居住证", "Household register (户口簿) or residence permit";
    LegalAidDocMeans => "经济困难证明，或者当场填写个人诚信承诺书", "Proof of financial difficulty, or a personal declaration signed at the centre";
    LegalAidDocDispute => "和纠纷有关的材料：合同、欠条、工资条、聊天记录、照片、病历、判决书等", "Papers about the dispute: contracts, IOUs, pay slips, messages, photos, medical records, judgments";
    LegalAidWhereTitle => "去哪里申请", "Where to apply";
    LegalAidWhereHint => "到事情发生地或者您住所地的法律援助中心申请。", "Apply at the legal aid centre where the matter happened or where you live.";
    LegalAidStartAppeal => "在线提交法律援助申请", "Request legal aid online";
    LegalAidStartAppealHint => "会把您的回答带到申请里，您还可以修改和补充。", "Your answers go into the request; you can still change and add to them.";
    LegalAidRestart => "重新自测", "Start again";
    LegalAidAppealIntro => "【法律援助自测】", "[Legal aid self-check]";
    LegalAidAppealResult => "自测结果：", "Result: ";
    LegalAidAppealMatter => "事情类型：", "Matter: ";
    LegalAidAppealGroup => "特殊情形：", "Special situation: ";
    LegalAidAppealMeans => "经济状况：", "Means: ";
    LegalAidAppealAsk => "我想申请法律援助，请告诉我下一步怎么办。", "I would like to apply for legal aid; please tell me what to do next.";
    LegalAidPrefilled => "已根据法律援助自测写好了“发生了什么”，下一步可以修改。", "“What happened” has been filled in from your self-check; you can change it on the next step.";
    LegalTriageTitle => "可能对您有帮助的法律信息", "Legal help that may be useful";
    LegalTriageArticles => "相关法律知识", "About the law";
    LegalTriageMediation => "就近的人民调解委员会", "The nearest mediation committee";
    LegalTriageMediationHint => "人民调解免费，双方自愿，调解成功可以签调解协议。", "People's mediation is free and voluntary; a successful mediation ends in a signed agreement.";
    LegalTriageEligibility => "看看能不能申请法律援助", "Check whether you can get legal aid";
    LegalTriageDirectory => "查看更多法律服务机构", "More legal services";
    AdminLegal => "法律文章", "Legal articles";
    AdminLegalHint => "选一篇文章，修改它的正文（Markdown）。保存后页面和搜索立即更新，并记入审计日志。只能链接本站的 /legal/ 页面和 /appeal/new。", "Choose an article and edit its text (Markdown). Saving updates the page and search at once and is audited. Links may only point to this site's /legal/ pages and /appeal/new.";
    AdminLegalBody => "正文（Markdown）", "Text (Markdown)";
    AdminLegalSave => "保存文章", "Save the article";
    AdminLegalOpen => "查看文章", "View the article";
    AdminLegalProblems => "没有保存，请改正：", "Not saved. Please fix:";
    // Wizard
    StepOf => "第 {n} 步，共 {total} 步", "Step {n} of {total}";
    // issue 9 §5
    ErrPhotoPixels => "照片像素太多，请缩小后再上传（例如选择“中”或“小”尺寸）", "That photo has too many pixels; make it smaller (for example the medium size) and upload it again";
    ErrPhotoDraftFull => "这份诉求的照片总大小已到上限，请先删除一张再上传", "This appeal's photos have reached their total size limit; remove one before adding another";
    ErrPhotoSlow => "这张照片处理超时，请稍后再试或换一张小一些的照片", "That photo took too long to process; try again later or use a smaller photo";
    ErrUploadBusy => "现在上传照片的人太多，请等一分钟后返回上一页再试，已填写的内容不会丢失", "Too many photos are being uploaded right now. Wait a minute, then go back and try again; what you have filled in is kept";
    NewAppealTitle => "我要反映", "Report a problem";
    ErrorSummaryTitle => "请先改正以下问题", "Please fix the following";
    StepCategoryTitle => "是哪一类事情？", "What is it about?";
    StepCategoryHint => "选最接近的一项，拿不准就选“其他诉求”。", "Choose the closest one. If unsure, choose “Other”.";
    UrgentBadge => "加急", "urgent";
    StepWhatTitle => "发生了什么？", "What happened?";
    StepWhatHint => "请写清楚什么事、在哪里、从什么时候开始、希望怎么解决。至少 10 个字。", "Say what happened, where, since when, and what you would like done. At least 10 characters.";
    DescriptionLabel => "事情经过", "What happened";
    CharsCount => "已写 {n} / {max} 字", "{n} / {max} characters";
    StepWhereTitle => "在哪里？", "Where is it?";
    StepWhereHint => "可以用手机定位，也可以逐级选择所在的区、街道、社区。", "Use your phone's location, or choose the district, street and community.";
    UseMyLocation => "使用我的位置", "Use my location";
    LocatingNow => "正在定位……", "Finding your location…";
    LocationFound => "已获取位置", "Location found";
    LocationFailed => "无法获取位置，请在下面逐级选择。", "Could not get your location. Please choose below.";
    LocationSaved => "已记录手机定位，办理单位将按定位确定。", "Your phone's location is recorded; it decides who handles this.";
    ClearLocation => "不用定位", "Don't use location";
    OrChooseRegion => "或者逐级选择：", "Or choose:";
    DistrictLabel => "区县", "District";
    StreetLabel => "街道（乡镇）", "Street (town)";
    CommunityLabel => "社区（村）", "Community (village)";
    ChooseOption => "请选择", "Please choose";
    UpdateChoices => "更新下一级选项", "Show the next level";
    MapTitle => "或者在地图上点选：", "Or point on the map:";
    MapTrail => "地图：从全市到街道", "Map: from the city to the street";
    MapAria => "{name}地图", "Map of {name}";
    MapHintZoom => "点一个区域放大。", "Tap an area to zoom in.";
    MapHintCells => "点事情所在的网格；开着网页脚本时，点在哪里就记下哪个点。", "Tap the grid cell where it is; with scripts on, the exact spot you tap is recorded.";
    MapZoomTo => "放大：{name}", "Zoom in: {name}";
    MapPickCell => "选这个网格：{name}", "Choose this cell: {name}";
    MapTapped => "你点了：{name}。", "You tapped: {name}.";
    MapUseCell => "就选这个网格", "Use this cell";
    MapList => "也可以从列表中选：", "Or choose from the list:";
    MapPin => "你选的位置", "Your chosen point";
    MapPointSet => "已在地图上记下位置，按“下一步”保存。", "Point marked on the map; press Continue to save it.";
    AddressNoteLabel => "详细位置（选填）", "Exact place (optional)";
    AddressNoteHint => "例如：3号楼2单元门口。", "For example: at the door of building 3, unit 2.";
    StepPhotosTitle => "有照片吗？（选填）", "Any photos? (optional)";
    StepPhotosHint => "最多 3 张，每张不超过 10 MB，支持 JPG、PNG、WebP。照片中的位置等隐藏信息会被清除。", "Up to 3 photos, 10 MB each, JPG, PNG or WebP. Hidden data such as location is removed.";
    PhotoLabel => "选择照片", "Choose a photo";
    UploadPhoto => "上传这张照片", "Upload this photo";
    RemovePhoto => "删除", "Remove";
    PhotoAlt => "已上传的照片 {n}", "Uploaded photo {n}";
    NoPhotos => "还没有照片。", "No photos yet.";
    UploadProgressLabel => "上传进度", "Upload progress";
    UploadPreparing => "正在缩小照片，马上开始上传……", "Making the photo smaller before sending it…";
    UploadingPercent => "正在上传 {n}%", "Uploading {n}%";
    UploadFailed => "照片没有传完，可能是网络断了。请检查网络后再选一次照片。", "The photo did not finish uploading; the connection may have dropped. Check it, then choose the photo again.";
    PhotosFull => "已有 3 张照片。", "You have 3 photos.";
    StepWhoTitle => "您是谁？", "Who are you?";
    StepWhoHint => "可以匿名。留下姓名和电话，办理人员可以联系您；电话只对办理人员可见。", "You may stay anonymous. With a name and phone the handling staff can reach you; only they see your number.";
    IdentityAnonymous => "匿名反映", "Stay anonymous";
    IdentityNamed => "留下姓名和电话", "Give my name and phone";
    NameLabel => "姓名或称呼", "Name";
    PhoneLabel => "手机或固定电话", "Mobile or landline";
    StepCheckTitle => "核对一下", "Check your answers";
    StepCheckHint => "确认无误后提交。提交后会给您一张回执。", "Submit when everything is right. You will get a receipt.";
    CheckCategory => "类别", "Category";
    CheckDescription => "事情经过", "What happened";
    CheckPlace => "位置", "Place";
    CheckPhotos => "照片", "Photos";
    CheckWho => "反映人", "From";
    PlaceByLocation => "手机定位", "Phone location";
    // issue 14 (resident): the point shown back in words
    PointInCell => "这个位置在：{place}。", "This point is in {place}.";
    PointOutsideGrid => "这个位置不在本市的网格范围内，诉求将先交给市级中心，由人工分派。", "This point is outside the city's grid; it will go to the city centre for manual dispatch.";
    PlaceByLocationIn => "手机定位：{place}", "Phone location: {place}";
    PlaceOutsideGrid => "手机定位：不在本市网格内，由市级中心人工分派", "Phone location: outside the city's grid, dispatched by hand by the city centre";
    PhotoCount => "{n} 张", "{n}";
    Submit => "提交", "Submit";
    Submitting => "正在提交……", "Submitting…";
    DraftExpired => "这份草稿已过期或不存在，请重新开始。", "This draft has expired or does not exist. Please start again.";
    // issue 9 §1–2
    TrackForget => "查完了，在这部手机上退出", "Done – forget it on this phone";
    TrackForgetHint => "在公用或借来的手机上查询后，请点此退出，别人就看不到这件诉求。", "On a shared or borrowed phone, press this when you are done so nobody else can open this appeal.";
    TrackForgotten => "已退出，这部手机不再显示这件诉求。", "Done. This phone no longer shows that appeal.";
    TrackSessionEnded => "查询已结束，请重新输入受理编号和查询码。", "Your lookup has ended. Please enter the ticket number and key again.";
    StartAgain => "重新开始", "Start again";
    AlreadySubmitted => "这件诉求已经提交过了，下面是它的回执。", "This appeal was already submitted; here is its receipt.";
    // Receipt
    ReceiptTitle => "已受理", "Received";
    ReceiptLead => "您的诉求已保存并交给办理单位。请保存这张回执：查进度需要受理编号和查询码。", "Your appeal is saved and with the handling unit. Keep this receipt: you need the ticket number and key to track it.";
    TicketLabel => "受理编号", "Ticket number";
    KeyLabel => "查询码", "Access key";
    KeyWarning => "查询码只显示在这里，请抄下、截图或复制。不要告诉别人。", "The key is shown only here. Write it down, take a screenshot or copy it. Do not share it.";
    HandledBy => "办理单位", "Handled by";
    Deadline => "办结时限", "Due by";
    SaveReceiptTitle => "保存回执", "Save your receipt";
    CopyReceipt => "复制编号和查询码", "Copy ticket and key";
    Copied => "已复制", "Copied";
    TrackLink => "查询链接（收藏或发给自己）", "Tracking link (bookmark it or send it to yourself)";
    QrHint => "用手机扫码即可查看进度。", "Scan with a phone to see progress.";
    TrackNow => "现在查看进度", "Track it now";
    // issue 14: receipts kept on this device
    KeptReceiptNotice => "这张回执（连同查询码）已保存在这部手机的浏览器里，只在这部手机上；用这部手机的人都能打开它。", "This receipt, key included, is kept in this phone's browser, on this device only; anyone using this device can open it.";
    KeptReceiptsTitle => "这部手机上的回执", "Receipts on this device";
    KeptReceiptsNotice => "这些回执（连同查询码）只保存在这部手机上，用这部手机的人都能打开。点一条即可查看进度。", "These receipts, keys included, are kept on this device only, and anyone using it can open them. Tap one to see its progress.";
    KeptReceiptsClear => "清除这部手机上的回执", "Clear these receipts";
    KeptReceiptsCleared => "已清除，这部手机不再保存回执。", "Cleared. This device no longer keeps any receipt.";
    // Track
    TrackTitle => "查进度", "Track my appeal";
    TrackHint => "输入回执上的受理编号和查询码。", "Enter the ticket number and key from your receipt.";
    TrackSubmit => "查询", "Look up";
    TrackNotFound => "受理编号或查询码不对，请核对回执后再试。", "The ticket number or key is not right. Check your receipt and try again.";
    TrackRateLimited => "查询太频繁，请过几分钟再试。", "Too many attempts. Please wait a few minutes and try again.";
    // issue 14: recovering lost receipts by phone number and an SMS code
    RecoverLink => "忘了回执？用手机号找回", "Lost your receipt? Recover it with your phone number";
    RecoverTitle => "用手机号找回回执", "Recover your receipts by phone number";
    RecoverPhoneHint => "填写实名提交诉求时留下的手机号，我们会发一条短信验证码。匿名诉求没有留手机号，不能这样找回。", "Enter the phone number you gave with a named appeal and we will text you a code. Anonymous appeals have no number and cannot be recovered this way.";
    RecoverSendCode => "发送验证码", "Text me a code";
    RecoverCodeSent => "如果这个号码提交过实名诉求，验证码已发送", "If this number has submitted a named appeal, a code has been sent to it";
    RecoverCodeHint => "验证码是 6 位数字，10 分钟内有效，输错 5 次作废。", "The code has 6 digits. It is valid for 10 minutes and stops working after 5 wrong tries.";
    RecoverCodeLabel => "短信验证码", "Code from the text message";
    RecoverCodeSubmit => "查看我的诉求", "Show my appeals";
    RecoverAskAgain => "没收到？重新填写手机号", "Nothing came? Enter the number again";
    RecoverLimited => "获取验证码的次数太多，请过一段时间再试。", "Too many codes have been asked for. Please try again later.";
    RecoverCodeFormat => "请输入短信里的 6 位数字验证码。", "Enter the 6-digit code from the text message.";
    RecoverCodeWrong => "验证码不对，请核对短信后再试。", "That code is not right. Check the text message and try again.";
    RecoverCodeExpired => "验证码已过期或已失效，请重新获取。", "The code has expired or no longer works. Please ask for a new one.";
    RecoverCodeDead => "验证码输错次数太多，已经作废，请重新获取。", "Too many wrong tries: this code no longer works. Please ask for a new one.";
    RecoverListTitle => "这个号码的实名诉求", "Named appeals from this number";
    RecoverListEmpty => "没有找到这个号码的实名诉求。", "No named appeal was found for this number.";
    RecoverNoKeys => "查询码只保存了无法还原的摘要，不能再显示。以后要再查看，请再用手机号找回。", "Keys are stored only as digests that cannot be turned back, so they cannot be shown again. To look again later, recover with your phone number again.";
    RecoverOpen => "查看进度", "See progress";
    RecoverSessionEnded => "找回已结束，请重新获取验证码。", "This recovery has ended. Please ask for a new code.";
    RecoverForget => "看完了，在这部手机上退出", "Done – forget it on this phone";
    RecoverSms => "【平安键】您的验证码是 {code}，10 分钟内有效，用于找回诉求回执。请勿告诉任何人，工作人员不会向您索要验证码。不是您本人操作请忽略。", "[Ping'an Key] Your code is {code}. It is valid for 10 minutes and recovers your appeal receipts. Do not tell anyone this code; staff never ask for it. If you did not ask for it, ignore this message.";
    StatusLabel => "状态", "Status";
    Timeline => "办理经过", "Timeline";
    SubmittedAt => "提交时间", "Submitted";
    // Statuses and events
    StatusAssigned => "待签收", "Waiting to be signed for";
    StatusInProgress => "办理中", "In progress";
    StatusClosed => "已办结", "Closed";
    EventSubmitted => "您提交了诉求", "You submitted the appeal";
    EventRouted => "系统按属地和事项分派给：{unit}", "Assigned by place and subject to: {unit}";
    EventRoutedOutside => "位置不在网格内，交市社会治理中心人工分派：{unit}", "The place is outside the grid; the city centre will dispatch it: {unit}";
    // Validation
    ErrRequired => "此项必填", "This is required";
    ErrCategoryMissing => "请选择诉求类别", "Choose what it is about";
    ErrCategoryUnknown => "这个类别不存在，请重新选择", "That category does not exist; choose again";
    ErrDescriptionEmpty => "请写下发生了什么", "Say what happened";
    ErrDescriptionShort => "请至少写 10 个字，说清楚事情经过", "Write at least 10 characters so we understand what happened";
    ErrDescriptionLong => "最多 2000 字，请精简一些", "Keep it to 2000 characters or fewer";
    ErrLocationInvalid => "定位数据无效，请重新定位或逐级选择", "The location is not valid; try again or choose below";
    ErrRegionMissing => "请使用定位，或至少选择所在的区县", "Use your location, or choose at least the district";
    ErrRegionUnknown => "所选地区不存在，请重新选择", "That area does not exist; choose again";
    ErrAddressNoteLong => "详细位置最多 200 字", "Keep the exact place to 200 characters or fewer";
    // Extra questions per category (issue 13, "answers faster"): {label} is the question's label.
    ErrAnswerRequired => "请填写{label}", "Please fill in “{label}”";
    ErrAnswerNumber => "{label}须为大于0的数字", "“{label}” must be a number greater than 0";
    ErrAnswerWhole => "{label}须为整数", "“{label}” must be a whole number";
    ErrAnswerDecimals => "{label}最多保留 {n} 位小数", "“{label}” allows at most {n} decimal places";
    ErrAnswerTooBig => "{label}不能超过 {max} {unit}", "“{label}” cannot be more than {max} {unit}";
    ErrAnswerTooLong => "{label}最多 {max} 字", "Keep “{label}” to {max} characters or fewer";
    ErrAnswerChoice => "请从列表中选择{label}", "Choose “{label}” from the list";
    ErrAnswersBelow => "请检查所选类别的补充问题", "Check the answers to the chosen category's questions";
    QuestionsTitle => "再回答几个问题，能办得更快", "A few more questions help us act faster";
    QuestionOptional => "（选填）", " (optional)";
    QuestionsStaffTitle => "类别补充问题", "Answers to the category's questions";
    QuestionsIntakeFor => "“{category}”的补充问题（只填所选类别的）", "Questions for “{category}” (only the chosen category's are used)";
    ErrPhotoType => "只能上传 JPG、PNG 或 WebP 格式的照片", "Photos must be JPG, PNG or WebP";
    ErrPhotoTooBig => "照片太大，每张不能超过 10 MB", "That photo is too big; each must be 10 MB or less";
    ErrPhotoUnreadable => "这张照片无法读取，请换一张", "We could not read that photo; try another";
    ErrPhotoTooMany => "最多上传 3 张照片", "You can upload up to 3 photos";
    ErrPhotoMissing => "请先选择一张照片", "Choose a photo first";
    ErrIdentityMissing => "请选择匿名，或留下姓名和电话", "Choose anonymous, or give your name and phone";
    ErrNameEmpty => "请填写姓名或称呼", "Enter your name";
    ErrNameLong => "姓名最多 30 个字", "Keep the name to 30 characters or fewer";
    ErrNameInvalid => "姓名不能只有数字", "A name cannot be only digits";
    ErrPhoneEmpty => "请填写电话号码", "Enter a phone number";
    ErrPhoneInvalid => "请填写正确的手机号（11 位）或带区号的固定电话", "Enter an 11-digit mobile number or a landline with area code";
    ErrTicketEmpty => "请填写受理编号", "Enter the ticket number";
    ErrTicketFormat => "受理编号的格式是 PA-XXXX-XXXX", "A ticket number looks like PA-XXXX-XXXX";
    ErrKeyEmpty => "请填写查询码", "Enter the access key";
    ErrKeyFormat => "查询码是 26 位字母和数字", "The key has 26 letters and digits";
    // Staff and resident actions
    ErrLoginFailed => "用户名或密码不对，或账号已停用。", "The user name or password is not right, or the account is switched off.";
    ErrLoginThrottled => "登录尝试太多，请 15 分钟后再试。", "Too many sign-in attempts. Try again in 15 minutes.";
    ErrPasswordShort => "密码至少 12 个字符", "Use at least 12 characters";
    ErrPasswordLong => "密码最多 128 个字符", "Use 128 characters or fewer";
    ErrPasswordCommon => "这个密码太常见或和用户名相关，请换一个", "That password is too common or contains the user name; choose another";
    ErrUsernameInvalid => "用户名为 3–32 位小写字母、数字、点、横线或下划线", "User names are 3–32 lowercase letters, digits, dots, dashes or underscores";
    ErrUsernameTaken => "这个用户名已经有人用了", "That user name is taken";
    ErrUnitUnknown => "请选择一个存在的单位", "Choose an existing unit";
    ErrRoleUnknown => "请选择角色", "Choose a role";
    ErrRoleUnitMismatch => "这个角色不能属于所选单位（网格员属于网格工作站，调度员属于综治中心，办理人员属于社区或部门）", "That role does not fit the unit (grid workers belong to grid stations, dispatchers to centres, handlers to communities or departments)";
    ErrBodyEmpty => "请填写内容", "Write something";
    ErrBodyLong => "最多 2000 字", "Keep it to 2000 characters or fewer";
    ErrReasonEmpty => "请写明理由", "Give a reason";
    ErrReasonLong => "理由最多 500 字", "Keep the reason to 500 characters or fewer";
    ErrResolutionEmpty => "请写明办理结果", "Describe how it was resolved";
    ErrSummonUnits => "请至少选择一个本区的职能部门", "Choose at least one department of this district";
    ErrDaysInvalid => "延期天数为 1–30 个工作日", "Ask for 1 to 30 working days";
    ErrExtensionPending => "已有一个延期申请等待审批", "An extension request is already waiting for a decision";
    ErrActionNotNow => "当前状态下不能进行这个操作，页面可能已过期，请刷新。", "This cannot be done in the appeal's current state; the page may be out of date, please reload.";
    ErrCoHandlersPending => "还有协办部门没有反馈，暂不能办结", "Some co-handling departments have not reported back yet";
    // Summonses with duties (吹哨报到, issue 13)
    ErrSummonDays => "反馈期限请填 1 到 15 个工作日", "Give 1 to 15 working days for the report";
    ErrSummonNotListed => "这个类别不能召集所选的部门，请从列出的部门中选择", "That department may not be called in for this category; choose one of those listed";
    ErrSummonKindUnknown => "没有这种职能部门", "There is no such kind of department";
    ErrRateNotNow => "这个部门还没有反馈，或者它的反馈已经评价过了", "That department has not reported back yet, or its report was already rated";
    ErrRateSummonerUnknown => "这次吹哨没有记录是哪个单位发起的（早于记录发起单位的版本），无法确定由谁评价，不能评价", "This summons has no record of which unit made it (it predates that record), so nobody can be sure who should rate it: it cannot be rated";
    ErrRatingNoteLong => "评价说明太长了，最多 500 字", "The note is too long (500 characters at most)";
    SummonDaysLabel => "反馈期限（工作日，1–15，默认 3）", "Report due in (working days, 1–15, default 3)";
    SummonAnyHint => "这个类别没有限定可召集的部门：本区任何职能部门都可以召集。", "No departments are listed for this category: any department of the district may be called in.";
    SummonListedHint => "只列出这个类别可以召集的部门（由管理员设置）。", "Only the departments that may be called in for this category are listed (set by the administrators).";
    SummonDue => "反馈期限：{date}", "Report due: {date}";
    BadgeReportOverdue => "反馈超期", "report overdue";
    ReportRatingLabel => "对反馈的评价", "Rating of the report";
    ReportRatingNote => "评价说明（可不填）", "Note (optional)";
    ActRateReport => "评价部门反馈", "Rate the report";
    ReportRated => "评价：{rating}", "Rated: {rating}";
    EventSummonsOverdue => "协办部门反馈超期，已督办：{units}", "A called-in department's report is overdue and was supervised: {units}";
    EventReportRated => "已评价协办部门的反馈：{units}", "A called-in department's report was rated: {units}";
    AdminSummons => "吹哨报到：各类别可召集的部门", "Departments that may be called in, per category";
    AdminSummonsHint => "为每个类别勾选可以召集的部门类型。一个都不勾选时，本区任何职能部门都可以召集。", "Tick the kinds of department that may be called in for each category. With none ticked, any department of the district may be called in.";
    SummonRuleAny => "未限定：任何部门", "Not limited: any department";
    SummonRuleSave => "保存这个类别", "Save this category";
    DashCallbacks => "回访", "Follow-up calls (回访)";
    DashCallbacksWaiting => "等待回访", "Waiting for a call";
    DashCallbacksWaitingDef => "本辖区已办结、现在在回访队列里的诉求件数：过了评价期没有评价的、评为基本满意或不满意的、接在不满意之后的（由办理单位的上级中心回访）。按现在计，不按时段。", "Closed appeals of this area in the follow-up queue now: unrated after the rating window, rated partly satisfied or not satisfied, or following a 'not satisfied' (called by a centre above the handling unit). As of now, whatever the period.";
    DashCallbacksDone => "本期完成回访", "Calls done in the period";
    DashCallbacksDoneDef => "本期打通并记下满意度的回访次数，加上本期因第 3 次没打通而不再回访的件数；即下面四项之和。", "Calls in the period that reached the resident and recorded their satisfaction, plus the appeals given up in the period at the third call that did not get through: the sum of the four lines below.";
    DashCallbacksSaidDef => "本期打通的回访中，群众这样回答的次数。", "Calls in the period that reached the resident, by what the resident said.";
    DashCallbacksUnreachable => "联系不上", "Could not be reached";
    DashCallbacksUnreachableDef => "本期第 3 次回访仍没打通、不再回访的件数（群众记为联系不上）。", "Appeals whose third call, made in the period, did not get through either: no more calls, the resident counts as unreachable.";
    DashSummons => "吹哨报到 {n} 次，逾期反馈 {late} 次，反馈评价满意 {satisfied} 次 / 已评价 {rated} 次", "Departments called in {n} times, reported late {late}, reports rated satisfied {satisfied} of {rated}";
    ErrNoParentUnit => "已是最高一级，不能再上报", "This is already the top level";
    ErrNoContact => "反映人没有留联系方式", "The resident left no contact details";
    ErrForbidden => "您没有权限进行这个操作。", "You are not allowed to do this.";
    ErrCsrf => "页面已过期，请返回刷新后再提交。", "This page has expired. Go back, reload it and try again.";
    ErrAppealClosed => "这件诉求已经办结。如对结果不满意，请在下面评价。", "This appeal is closed. If you are not satisfied, say so in the rating below.";
    ErrNotClosed => "办结后才能评价", "You can rate once the appeal is closed";
    ErrRatingWindowOver => "评价期限已过", "The time to rate this answer has passed";
    ErrAlreadyRated => "这次办理结果已经评价过了", "You have already rated this answer";
    ErrRatingMissing => "请选择满意、基本满意或不满意", "Choose satisfied, partly satisfied or not satisfied";
    ErrDayInvalid => "日期格式为 2026-10-01", "Dates look like 2026-10-01";
    ErrDayKindInvalid => "请选择放假或调休上班", "Choose holiday or make-up working day";
    ErrFileMissing => "请选择要上传的文件", "Choose a file to upload";
    Saved => "已保存。", "Saved.";
    InfoReceived => "已收到，办理单位会看到您补充的内容。", "Received; the handling unit will see what you added.";
    RatingReceived => "感谢您的评价。", "Thank you for your rating.";
    AuditChainOk => "审计日志完整：逐条核对了哈希链，没有发现改动。", "The audit log is intact: every link of the hash chain checks out.";
    AuditChainBroken => "审计日志被改动过：下面是第一处断开的位置。", "The audit log was altered: the first broken link is below.";
    ImportDone => "导入成功，路由索引已更新。", "Imported; the routing index is up to date.";
    ImportFailed => "导入失败，什么也没有改动。请按下面的问题修改文件后重试：", "Nothing was imported. Fix these problems in the files and try again:";
    // Statuses and events (shared by the track page and the staff timeline)
    StatusAwaitingInfo => "待补充", "Waiting for your information";
    EventSigned => "{unit} 已签收", "{unit} signed for it";
    EventReply => "答复", "Reply";
    EventNote => "内部备注", "Internal note";
    EventInfoRequested => "请您补充情况", "Please tell us more";
    EventTransferred => "已转交 {unit} 办理", "Transferred to {unit}";
    EventEscalated => "已上报 {unit}", "Sent up to {unit}";
    EventSummoned => "已召集协办部门：{units}", "Departments called in to help: {units}";
    EventReportedBack => "{unit} 已报到反馈", "{unit} reported back";
    EventClosed => "已办结", "Closed";
    EventReopened => "重新办理", "Reopened";
    EventResidentAnswer => "您补充了情况", "You answered";
    EventSupplement => "您补充了内容", "You added information";
    EventPhotoAdded => "您补充了一张照片", "You added a photo";
    EventSupplementByResident => "群众补充了内容", "The resident added information";
    EventAnswerByResident => "群众答复了补充要求", "The resident answered the request for information";
    EventPhotoAddedByResident => "群众补充了一张照片", "The resident added a photo";
    EventJoinedByResident => "群众选择加入同一事项的诉求，其描述作为补充信息", "The resident joined an appeal on the same matter; their description is added information";
    EventRatedByResident => "群众的评价：{rating}", "The resident's rating: {rating}";
    EventReopenedUnsatisfiedByResident => "群众不满意，已提级交 {unit} 重新办理", "The resident was not satisfied; {unit}, one level up, is handling it again";
    TrackPhotosTitle => "照片", "Photos";
    TrackPhotosNone => "这件诉求还没有照片。", "This appeal has no photos yet.";
    TrackPhotoHint => "可以补充照片，让办理单位看清情况：JPG、PNG 或 WebP，每张不超过 10 MB，一件诉求最多 6 张。照片中的位置等隐藏信息会被清除。", "You can add photos so the unit sees what it is about: JPG, PNG or WebP, 10 MB each at most, up to 6 per appeal. Hidden data such as location is removed.";
    TrackPhotoSubmit => "上传照片", "Upload the photo";
    TrackPhotosFull => "这件诉求已有 6 张照片，不能再添加。", "This appeal has 6 photos, the most it can have.";
    PhotoReceived => "照片已收到，办理单位会看到。", "Photo received; the handling unit will see it.";
    TrackPhotoAlt => "诉求照片 {n}", "Photo {n} of the appeal";
    ErrAppealPhotosFull => "这件诉求已有 6 张照片，不能再添加", "This appeal already has 6 photos, the most it can have";
    ErrAppealPhotosBytes => "这件诉求的照片总大小已到上限，不能再添加", "This appeal's photos have reached their total size limit";
    // issue 9 §3: what becomes public, the resident's choice, and staff moderation
    PublicTitle => "哪些内容会公开", "What becomes public";
    PublicWhat => "任何人都能看到：诉求类别、办理状态、所在社区、提交和更新的日期。", "Anyone can see: the category, the status, your community, and the days it was submitted and last updated.";
    PublicNever => "从不公开：您的姓名、电话、具体位置、照片、提交的具体时间。", "Never public: your name, your phone number, the exact place, photos, the exact time.";
    PublishLabel => "公开我的描述", "Publish my description";
    PublishHint => "不勾选就不公开。勾选后，要等工作人员审核同意才公开，可能删减或隐去部分内容。", "Unticked, it stays private. Ticked, it is published only after a staff member approves it, possibly shortened or with parts removed.";
    PublishNeverSensitive => "这类诉求写的内容一律不公开。", "What you write in this category is never published.";
    CheckPublish => "公开描述", "Publish description";
    PublishYes => "申请公开（须经审核）", "Yes, after staff review";
    PublishNo => "不公开", "No";
    NavModeration => "公开审核", "Publication review";
    ModerationTitle => "公开审核", "Publication review";
    ModerationHint => "居民申请公开描述的诉求。可以删减、隐去姓名、门牌等后批准，或不予公开；每次决定都记入审计日志。敏感类别不会出现在这里。", "Appeals whose residents asked to publish their description. Approve it, after removing names, house numbers and the like if needed, or decline; every decision is audited. Sensitive categories never appear here.";
    ModerationEmpty => "没有待审核的内容。", "Nothing to review.";
    ModerationPendingTitle => "待审核", "Waiting for review";
    ModerationApprovedTitle => "已公开", "Published";
    ModerationOriginal => "居民原文", "What the resident wrote";
    ModerationText => "公开文本（可修改）", "Text to publish (you may edit it)";
    ModerationApprove => "批准公开", "Approve and publish";
    ModerationDecline => "不予公开", "Decline";
    ModerationWithdraw => "撤回公开", "Withdraw";
    ErrNeverPublished => "敏感类别的诉求不能公开。", "Appeals in a sensitive category are never published.";
    ErrPublishNotAsked => "居民没有申请公开这件诉求。", "The resident did not ask to publish this appeal.";
    EventWarning => "即将到期预警", "Deadline warning";
    EventSupervised => "已超期，列入督办", "Overdue: under supervision";
    EventAutoEscalated => "超期未办，自动上报 {unit}", "Overdue: sent up to {unit} automatically";
    EventExtensionRequested => "申请延期", "Extension requested";
    EventExtensionApproved => "延期获批，新的办结时限：{date}", "Extension granted; new deadline: {date}";
    EventExtensionRefused => "延期未获批", "Extension refused";
    EventRated => "您的评价：{rating}", "Your rating: {rating}";
    EventReopenedUnsatisfied => "您不满意，已提级交 {unit} 重新办理", "You were not satisfied; {unit}, one level up, is handling it again";
    RatingSatisfied => "满意", "Satisfied";
    RatingBasically => "基本满意", "Partly satisfied";
    RatingUnsatisfied => "不满意", "Not satisfied";
    // Follow-up calls (回访) and reply templates (issue 13)
    NavCallbacks => "回访", "Follow-up calls";
    CallbacksTitle => "回访名单", "Follow-up calls";
    CallbacksHint => "下级单位已办结、需要电话回访的诉求：评价期过了还没评价的，评了“基本满意”或“不满意”的，以及“不满意”重办后又办结的（匿名或没留电话的不在名单上）。联系上群众并记录后，诉求离开名单；没接通的留在名单上，记下次数，三次没接通视为联系不上，离开名单。", "Closed appeals of the units below you to call the resident about: not rated when the rating time ran out, rated “partly satisfied” or “not satisfied”, or closed again after a “not satisfied” (anonymous appeals and those without a phone number are not listed). Once you reach the resident and record it, the appeal leaves the list; calls that did not get through keep it here, counted, and after three the resident counts as unreachable and it leaves the list.";
    CallbacksEmpty => "现在没有需要回访的诉求。", "No appeals to call back now.";
    CallbackWhyUnrated => "评价期已过，未评价", "Not rated in time";
    CallbackWhyBasically => "群众评价基本满意", "Rated partly satisfied";
    CallbackWhyUnsatisfied => "群众不满意", "Not satisfied";
    CallbackClosedAt => "办结时间", "Closed";
    CallbackWhy => "回访原因", "Why";
    CallbackAttempts => "已打 {n} 次未接通", "{n} calls did not get through";
    CallbackOutcome => "回访结果", "Outcome of the call";
    CallbackReached => "联系上了群众", "Reached the resident";
    CallbackNotReached => "没有接通", "Did not get through";
    CallbackSatisfaction => "群众对办理结果满意吗？（联系上时必选）", "Is the resident satisfied? (needed when reached)";
    CallbackNote => "回访记录（选填）", "Notes on the call (optional)";
    CallbackSubmit => "记录回访", "Record the call";
    CallbackUnsatisfiedHint => "评价期过后记为“不满意”的，诉求会交上一级重新办理，并列入督办；评价期内的回访只作记录，评价留给群众自己。", "After the rating time, “not satisfied” sends the appeal one level up to be handled again, under supervision; within it the call is only recorded and the rating is left to the resident.";
    ErrCallbackOutcome => "请选择是否联系上了群众", "Choose whether you reached the resident";
    ErrCallbackNotDue => "这件诉求现在不需要回访", "This appeal does not need a follow-up call now";
    ErrCallbackNoPhone => "这件诉求是匿名的或没有留电话，无法回访", "This appeal is anonymous or left no phone number: it cannot be called back";
    EventCallbackUnreachable => "电话回访：多次未接通，视为联系不上", "Follow-up call: no answer after several tries, resident unreachable";
    CallbacksTotal => "共 {n} 件待回访", "{n} appeals to call back in all";
    EventCallbackReached => "电话回访：{rating}", "Follow-up call: {rating}";
    EventCallbackNotReached => "电话回访：未接通", "Follow-up call: did not get through";
    NoticeCallback => "回访不满意", "Not satisfied on a follow-up call";
    AdminTemplates => "答复模板", "Reply templates";
    TemplatesHint => "按诉求类别准备的答复文字。工作人员在诉求页面的答复框下面可以看到本类别的模板，复制后按实际情况修改。", "Reply texts per appeal category. Staff see the templates of an appeal's category under its reply box, to copy and adapt.";
    TemplatesEmpty => "还没有模板。", "No templates yet.";
    TemplateCategory => "诉求类别", "Category";
    TemplateTitle => "标题", "Title";
    TemplateBody => "模板文字", "Text";
    TemplateAdd => "新增模板", "Add a template";
    TemplateSave => "保存修改", "Save changes";
    ErrTemplateTitle => "请填写标题", "Give it a title";
    ErrTemplateTitleLong => "标题最多 60 字", "Keep the title to 60 characters or fewer";
    ReplyTemplatesTitle => "本类别的答复模板", "Reply templates for this category";
    ReplyTemplatesHint => "展开模板，复制需要的文字到答复框，按实际情况修改后再发送。", "Open a template and copy what you need into the reply box; adapt it before sending.";
    ReplyTemplateUse => "填入答复框", "Put into the reply box";
    // Track page actions
    SupervisedNotice => "这件诉求已超过办理时限，正在督办。", "This appeal is past its deadline and under supervision.";
    AddInfoTitle => "补充情况", "Add information";
    AnswerInfoTitle => "回复办理单位", "Answer the handling unit";
    AddInfoHint => "办理单位请您补充情况时，或者您有新的情况，都可以写在这里。", "When the unit asks you for more, or when something new happens, write it here.";
    AddInfoSubmit => "提交补充", "Send";
    RateTitle => "您对办理结果满意吗？", "Are you satisfied with the answer?";
    RateHint => "选“不满意”的，会交上一级重新办理。", "If you choose “not satisfied”, the level above will handle it again.";
    RateComment => "说说原因（选填）", "Tell us why (optional)";
    RateSubmit => "提交评价", "Send rating";
    // Staff workspace
    StaffTitle => "工作台", "Workspace";
    StaffLoginTitle => "工作人员登录", "Staff sign-in";
    StaffLoginHint => "仅限工作人员使用。每一次登录都会记入审计日志。", "For staff only. Every sign-in is recorded in the audit log.";
    // issue 9 §4
    ErrSigninWait => "尝试次数太多，请 {seconds} 秒后再试。", "Too many attempts. Try again in {seconds} seconds.";
    CodeTitle => "输入验证码", "Enter your code";
    CodeHint => "打开身份验证器应用，输入它显示的 6 位验证码。手机不在身边时，可以输入一个恢复码。", "Open your authenticator app and enter the 6-digit code it shows. Without your phone, enter a recovery code.";
    CodeLabel => "验证码或恢复码", "Code or recovery code";
    CodeSubmit => "验证", "Verify";
    ErrCodeWrong => "验证码不对，或已经用过。", "That code is not right, or was already used.";
    ErrSigninExpired => "登录已过期，请重新输入密码。", "The sign-in has expired; enter your password again.";
    ErrTotpAlreadyOn => "两步验证已经开启。", "Two-step verification is already on.";
    NavAccount => "我的账号", "My account";
    AccountTitle => "我的账号", "My account";
    PasswordChangeTitle => "修改密码", "Change password";
    CurrentPasswordLabel => "当前密码", "Current password";
    OwnNewPasswordLabel => "新密码（至少 12 个字符，不能是常见密码）", "New password (at least 12 characters, not a common password)";
    NewPasswordAgainLabel => "再输入一次新密码", "New password again";
    PasswordChangeSubmit => "修改密码", "Change password";
    ErrCurrentPasswordWrong => "当前密码不对。", "The current password is not right.";
    ErrPasswordsDiffer => "两次输入的新密码不一样。", "The two new passwords differ.";
    PasswordChanged => "密码已修改，其他设备上的登录都已退出。", "Password changed; every other sign-in has ended.";
    TotpTitle => "两步验证", "Two-step verification";
    TotpRequiredHint => "管理员和调度员必须先开启两步验证，才能使用工作台。", "Admins and dispatchers must turn on two-step verification before using the workspace.";
    TotpIsOn => "两步验证已开启。", "Two-step verification is on.";
    TotpIsOff => "两步验证未开启。", "Two-step verification is off.";
    TotpStart => "开启两步验证", "Set up two-step verification";
    TotpScanHint => "用身份验证器应用扫描二维码，或者手动输入下面的密钥，然后输入应用显示的 6 位验证码。", "Scan the QR code with an authenticator app, or type the key below, then enter the 6-digit code the app shows.";
    TotpSecretLabel => "手动输入的密钥", "Key for manual entry";
    TotpConfirm => "确认开启", "Turn on";
    TotpDisable => "关闭两步验证", "Turn off two-step verification";
    RecoveryTitle => "恢复码", "Recovery codes";
    RecoveryShownOnce => "请抄下或打印这些恢复码，妥善保管。每个只能用一次，而且只显示这一次。", "Write these recovery codes down or print them and keep them safe. Each works once, and they are shown only now.";
    RecoveryLeft => "剩余可用的恢复码：{n} 个", "Recovery codes left: {n}";
    RecoveryRegenerate => "重新生成恢复码", "Make new recovery codes";
    GoToInbox => "进入工作台", "Go to the workspace";
    UsernameLabel => "用户名", "User name";
    PasswordLabel => "密码", "Password";
    SignIn => "登录", "Sign in";
    SignOut => "退出登录", "Sign out";
    RoleGridWorker => "网格员", "Grid worker";
    RoleUnitHandler => "办理人员", "Unit handler";
    RoleDispatcher => "调度员", "Dispatcher";
    RoleAdmin => "管理员", "Administrator";
    NavInbox => "待办诉求", "Appeals";
    NavAdmin => "管理", "Administration";
    InboxTitle => "待办诉求", "Appeals";
    FilterOpen => "全部未办结", "All open";
    FilterAll => "全部", "All";
    FilterStatus => "状态", "Status";
    FilterCategory => "类别", "Category";
    FilterUrgent => "只看加急", "Urgent only";
    FilterDue => "期限", "Deadline";
    FilterDueSoon => "即将到期", "Due soon";
    FilterOverdue => "已超期", "Overdue";
    FilterApply => "筛选", "Filter";
    ColTicket => "受理编号", "Ticket";
    ColDue => "期限", "Due";
    BadgeDueSoon => "即将到期", "due soon";
    BadgeOverdue => "已超期", "overdue";
    BadgeSupervised => "督办", "supervised";
    InboxEmpty => "没有符合条件的诉求。", "No appeals match.";
    PagePrev => "上一页", "Previous";
    PageNext => "下一页", "Next";
    PageOf => "第 {n} 页，共 {total} 页", "Page {n} of {total}";
    CountsLabel => "各状态数量", "Appeals by status";
    AppealTitle => "诉求 {ticket}", "Appeal {ticket}";
    SectionDetails => "基本情况", "Details";
    SectionResident => "反映人", "Resident";
    SectionPhotos => "照片", "Photos";
    SectionCoHandlers => "协办部门", "Co-handling departments";
    SectionExtensions => "延期申请", "Extension requests";
    SectionNotices => "预警和督办记录", "Warnings and supervision";
    SectionActions => "办理", "Handle it";
    StageWarning => "预警", "Warning";
    StageSupervision => "督办", "Supervision";
    StageEscalation => "超期上报", "Escalated";
    RouteReasonLabel => "分派依据", "Routed by";
    RouteGridCell => "定位所在网格", "the grid cell of the location";
    RouteChosenRegion => "群众选择的地区", "the area the resident chose";
    RouteOutsideGrid => "不在网格内，待人工分派", "outside the grid; dispatch by hand";
    RouteMissingUnit => "应办单位缺失，由上级接收", "the unit was missing; the level above took it";
    SignByLabel => "签收时限", "Sign for it by";
    CycleLabel => "第 {n} 轮办理", "Round {n}";
    Anonymous => "匿名", "Anonymous";
    RevealTitle => "查看完整联系方式", "Show full contact";
    RevealReason => "查看理由（会记入审计日志）", "Reason (recorded in the audit log)";
    RevealedNote => "已显示完整联系方式，本次查看已记录。", "Full contact shown; this viewing is recorded.";
    Internal => "内部", "internal";
    NotReported => "未反馈", "not reported";
    ReportedAt => "已反馈", "reported";
    Pending => "待审批", "waiting";
    Approved => "同意", "approved";
    Refused => "不同意", "refused";
    Withdrawn => "已撤回（诉求已移交或办结）", "withdrawn (the appeal moved on)";
    NoActions => "当前没有您可以进行的操作。", "There is nothing for you to do on this appeal now.";
    ActSign => "签收", "Sign for it";
    ActReply => "答复群众", "Reply to the resident";
    ActNote => "内部备注", "Internal note";
    ActRequestInfo => "请群众补充", "Ask the resident for more";
    ActTransfer => "转交其他单位", "Transfer to another unit";
    ActEscalate => "上报上一级", "Send up one level";
    ActSummon => "吹哨报到：召集部门协办", "Call in departments (吹哨报到)";
    ActReportBack => "报到反馈", "Report back";
    ActClose => "办结", "Close";
    ActReopen => "重新办理", "Reopen";
    ActRequestExtension => "申请延期", "Ask for more time";
    ActDecideExtension => "审批延期", "Decide on the extension";
    BodyLabel => "内容", "Text";
    ReasonLabel => "理由", "Reason";
    ResolutionLabel => "办理结果", "Resolution";
    ToUnitLabel => "转交给", "To";
    EscalateTo => "将上报到：{unit}", "Goes to: {unit}";
    DaysLabel => "延长几个工作日", "Extra working days";
    // issue 13: notices by hand (提示/预警/督办/交办/警示) and the leader in charge (领导包案)
    NoticeReminder => "提示", "Reminder";
    NoticeWarning => "预警", "Warning";
    NoticeSupervision => "督办", "Supervision";
    NoticeAssignment => "交办", "Assignment";
    NoticeAdmonition => "警示", "Admonition";
    ErrNoticeKind => "请选择通知类型", "Choose the kind of notice";
    ErrNoticeDueEmpty => "请填写答复期限", "Give the date the answer is due";
    ErrNoticeDue => "答复期限不是日期（年-月-日）", "The answer date is not a date (YYYY-MM-DD)";
    ErrNoticeDueRange => "答复期限须在今天到 30 天以内", "The answer date must be between today and 30 days from now";
    ErrNoticeUnknown => "这条通知不存在，或已经答复。", "That notice does not exist or was already answered.";
    ErrOwnerEmpty => "请选择包案领导", "Choose the leader in charge";
    ErrOwnerInvalid => "只能指定您所在单位或其下级、且在承办单位之上的单位的工作人员", "Choose a staff member of your unit or a unit below it that is above the handling unit";
    ActIssueNotice => "发出通知（提示、预警、督办、交办、警示）", "Send a notice (reminder, warning, supervision, assignment, admonition)";
    ActAnswerNotice => "答复上级通知", "Answer the notice";
    ActNameOwner => "指定包案领导", "Name a leader in charge";
    NoticeKindLabel => "通知类型", "Kind of notice";
    NoticeDueLabel => "答复期限", "Answer due by";
    NoticePublicLabel => "让群众知道已发出这份通知（理由不公开）", "Let the resident know this notice was sent (the reason stays internal)";
    SectionHandNotices => "上级通知", "Notices from above";
    NoticeOpen => "待答复", "awaiting an answer";
    NoticeOverdue => "答复已超期", "answer overdue";
    NoticeAnsweredBadge => "已答复", "answered";
    NoticeFrom => "{unit}发出", "from {unit}";
    AnswerLabel => "答复内容", "Answer";
    BadgeNotice => "待答复通知", "notice to answer";
    FilterNoticed => "有待答复的通知", "Notice to answer";
    BadgeOwesReport => "待报到反馈", "report back owed";
    FilterOwesReport => "本单位被吹哨、待反馈", "Summoned here, report back owed";
    OwnerLabel => "包案领导", "Leader in charge";
    OwnerCloseHint => "本件由包案领导 {name} 签字办结。", "The leader in charge, {name}, signs the close of this appeal.";
    NavCases => "我的包案", "My cases";
    CasesTitle => "我包案的诉求", "Appeals I am in charge of";
    CasesEmpty => "您目前没有包案的诉求。", "You are not in charge of any appeal.";
    EventNoticeIssued => "上级向{unit}发出{notice}通知", "A {notice} notice was sent to {unit}";
    EventNoticeAnswered => "{unit}答复了上级通知", "{unit} answered a notice";
    EventOwnerNamed => "已指定包案领导", "A leader in charge was named";
    EventOwnerRemoved => "包案领导已撤销", "The leader in charge was removed";
    OwnerPrevious => "原包案领导", "Previous leader in charge";
    ActUnnameOwner => "撤销包案领导", "Remove the leader in charge";
    ErrOwnerNamedAbove => "包案领导由上级单位指定，您不能更换或撤销。", "The leader in charge was named by a unit above yours; you cannot replace or remove them.";
    ErrNoOwner => "这件诉求没有包案领导。", "This appeal has no leader in charge.";
    NoticeLapsed => "已移交，无需答复", "lapsed (handed over)";
    DashboardNotices => "人工发出的通知", "Notices sent by hand";
    DashboardNoticesNone => "这一时段没有发出通知。", "No notices were sent in this period.";
    DashboardCount => "件数", "Number";
    DashboardByChannel => "按渠道受理", "Received by channel";
    RepeatsTitle => "同一号码的其他诉求", "Other appeals from the same phone number";
    RepeatsElsewhere => "这个号码在您的辖区以外还有 {n} 件诉求（只显示件数）。", "{n} more from this number outside your scope (the count only).";
    RepeatsHint => "您辖区内、可查看联系方式的诉求，最新的在前，最多 20 件。", "Appeals in your area whose contact you may see, newest first, at most 20.";
    // Related and repeated appeals (issue 13)
    ErrAlreadyMerged => "这件诉求已经合并到另一件诉求。", "This appeal is already merged into another one.";
    ErrMergeTargetUnknown => "找不到这个编号的诉求，或它不在您的辖区内。", "No appeal with this ticket in your area.";
    ErrMergeSelf => "不能合并或关联到它自己。", "An appeal cannot be merged or linked with itself.";
    ErrMergeTargetClosed => "那件诉求已经办结，不能再合并进去。", "That appeal is closed; nothing can be merged into it.";
    ErrAlreadyLinked => "这两件诉求已经关联。", "These two appeals are already linked.";
    ErrNotMerged => "这件诉求没有合并到其他诉求。", "This appeal is not merged into another one.";
    ErrJoinGone => "您选择加入的诉求刚刚已办结或已合并，请重新选择，或单独提交。", "The appeal you chose to join was just closed or merged; choose again, or send yours on its own.";
    EventMerged => "已与同一事项的另一件诉求合并办理", "Joined to another appeal on the same matter";
    EventJoined => "您选择加入同一事项的诉求，您的描述作为补充信息", "You joined an appeal on the same matter; your description is added information";
    EventMergedIn => "另一件诉求合并到本件：{other}", "Another appeal was merged into this one: {other}";
    EventUnmerged => "已取消合并，单独办理", "No longer joined to another appeal: handled on its own";
    EventLinked => "与诉求 {other} 关联", "Linked with appeal {other}";
    EventClosedWithMain => "随同一事项的诉求一并办结", "Closed together with the appeal on the same matter";
    RelatedTitle => "附近已有人反映过同类问题", "Someone nearby already reported this kind of problem";
    RelatedHint => "以下是同一网格内同类、尚未办结的诉求（只显示公开信息）。如果是同一件事，您可以加入它：您仍会拿到自己的回执，您的描述作为补充信息交给办理单位，答复会同时给您。", "These are open appeals of the same category in the same grid cell (public details only). If it is the same matter you can join it: you still get your own receipt, your description reaches the unit as added information, and its answers come to you too.";
    RelatedLegend => "是同一件事吗？", "Is it the same matter?";
    RelatedSeparate => "不是同一件事，单独提交我的诉求", "Not the same matter: send mine on its own";
    RelatedJoin => "是同一件事，加入（附议）", "The same matter: add my voice";
    RelatedReceived => "{date} 受理", "received {date}";
    RelatedJoinedCount => "已有 {n} 位居民加入", "{n} residents joined";
    FollowedTitle => "您的诉求已与同一事项的诉求合并办理", "Your appeal was joined to another on the same matter";
    FollowedHint => "它的办理进展和答复如下，同样是给您的答复。您仍可以补充信息和评价自己的诉求。", "Its progress and answers are below; they answer you too. You can still add information and rate your own appeal.";
    MergeTitle => "合并重复诉求", "Merge a duplicate";
    MergeHint => "本件将跟随主诉求办理：主诉求办结时本件一并办结，居民看到主诉求的答复。合并到本件的诉求随本件一起转过去。", "This appeal will follow the main one: it closes when the main one closes and its resident sees the main one's answers. Appeals merged into this one move along.";
    MergeTicketLabel => "主诉求编号", "Main appeal's ticket";
    ActMerge => "合并到主诉求", "Merge into the main appeal";
    ActUnmerge => "取消合并", "Undo the merge";
    LinkTitle => "关联相关诉求", "Link a related appeal";
    LinkTicketLabel => "相关诉求编号", "Related appeal's ticket";
    ActLink => "关联", "Link";
    MergedIntoLabel => "本件已合并到", "Merged into";
    FollowersTitle => "合并到本件的诉求", "Appeals merged into this one";
    LinksTitle => "关联的诉求", "Linked appeals";
    ByResident => "居民自行加入", "joined by the resident";
    NoteLabel => "意见", "Note";
    ApproveLabel => "同意", "Approve";
    RefuseLabel => "不同意", "Refuse";
    DepartmentsLabel => "召集哪些部门", "Which departments";
    // Admin
    AdminTitle => "管理", "Administration";
    AdminStaff => "工作人员账号", "Staff accounts";
    AdminAudit => "审计日志", "Audit log";
    AdminHolidays => "节假日和调休", "Holidays and make-up days";
    AdminImport => "导入区划和单位数据", "Import regions and units";
    NewStaffTitle => "新建账号", "New account";
    DisplayNameLabel => "姓名", "Name";
    UnitLabel => "单位", "Unit";
    RoleLabel => "角色", "Role";
    InitialPasswordLabel => "初始密码（至少 12 个字符）", "First password (12 characters or more)";
    CreateAccount => "创建账号", "Create account";
    ActiveLabel => "状态", "State";
    Active => "启用", "active";
    Inactive => "停用", "switched off";
    Deactivate => "停用", "Switch off";
    Activate => "启用", "Switch on";
    NewPasswordLabel => "新密码", "New password";
    ResetPassword => "重设密码", "Set password";
    AuditSeq => "序号", "No.";
    AuditAt => "时间", "Time";
    AuditWho => "操作人", "Who";
    AuditAction => "操作", "Action";
    AuditDetail => "详情", "Detail";
    AuditVerify => "核对哈希链", "Verify the hash chain";
    AuditChecked => "已核对 {n} 条", "{n} entries checked";
    AuditOlder => "更早的记录", "Older entries";
    HolidayDay => "日期", "Date";
    HolidayKind => "类型", "Kind";
    HolidayName => "名称", "Name";
    HolidayOff => "放假", "Holiday";
    HolidayWork => "调休上班", "Make-up working day";
    HolidayAdd => "保存", "Save";
    Delete => "删除", "Delete";
    ImportHint => "上传三个文件：regions.geojson、units.csv、categories.csv（UTF-8）。全部检查通过才会导入，否则什么也不改。", "Upload the three files: regions.geojson, units.csv, categories.csv (UTF-8). Nothing changes unless every check passes.";
    ImportSubmit => "导入", "Import";
    ImportCounts => "区划 {regions} 个，单位 {units} 个，类别 {categories} 个", "{regions} regions, {units} units, {categories} categories";
    StatsTitle => "办理情况统计", "How appeals are handled";
    StatsLead => "全市、各区、街道、社区直到每个网格收到多少诉求，办得怎么样。不到 5 件的只显示“<5”，以免认出是谁。", "How many appeals the city, each district, street, community and grid cell received, and how they were handled. Counts under 5 are shown as \"<5\" so that nobody can be recognised.";
    StatsNav => "办理情况统计", "How appeals are handled";
    StatsPeriodLabel => "统计时段", "Period";
    StatsPeriodMonth => "按月", "By month";
    StatsPeriodQuarter => "按季度", "By quarter";
    StatsPeriodYear => "按年", "By year";
    StatsPeriodCustom => "自定义日期", "Chosen dates";
    StatsYearLabel => "年份", "Year";
    StatsMonthLabel => "月份", "Month";
    StatsQuarterLabel => "季度", "Quarter";
    StatsFromLabel => "开始日期（自定义时填写）", "From (for chosen dates)";
    StatsToLabel => "结束日期（自定义时填写）", "To (for chosen dates)";
    StatsShow => "查看", "Show";
    StatsShowing => "{from} 至 {to}", "{from} to {to}";
    StatsBadPeriod => "统计时段不对：请选择 2000 到 2100 年之间的年份和月份（或季度），或填写一年以内的开始和结束日期。", "That period does not work: choose a year between 2000 and 2100 and a month (or quarter), or give a start and end date less than a year apart.";
    StatsNoRegion => "没有这个地区的公开统计。", "There are no public figures for that area.";
    StatsFigure => "指标", "Figure";
    StatsValue => "数值", "Value";
    StatsHow => "怎么算", "How it is counted";
    StatsReceived => "收到诉求", "Appeals received";
    StatsReceivedDef => "这一时段内提交的诉求件数（重新打开的不重复计算，并入另一件的重复诉求只算一次）。", "Appeals submitted in the period (a reopened appeal is not counted again; a duplicate merged into another counts once).";
    StatsSignedOnTime => "签收及时率", "Signed for on time";
    StatsSignedOnTimeDef => "收到的诉求中，在签收期限内签收的比例。", "Of the appeals received, the share signed for before the sign-for deadline.";
    StatsClosed => "办结率", "Closed";
    StatsClosedDef => "收到的诉求中，到时段结束时已办结的比例。", "Of the appeals received, the share closed by the end of the period.";
    StatsClosedOnTime => "按期办结率", "Closed on time";
    StatsClosedOnTimeDef => "已办结的诉求中，在办理期限内办结的比例。", "Of the appeals closed, the share closed before their deadline.";
    StatsOverdue => "超期未办结", "Overdue";
    StatsOverdueDef => "还没办结、已过办理期限的件数（时段已结束的，按结束时计算）。", "Appeals still open past their deadline (for a past period, at its end).";
    StatsSupervised => "督办", "Supervised";
    StatsSupervisedDef => "收到的诉求中，发出过督办通知的件数。", "Appeals received that got a supervision notice.";
    StatsEscalated => "交上级办理", "Escalated";
    StatsEscalatedDef => "收到的诉求中，交到上一级办理过的件数。", "Appeals received that were passed one level up.";
    StatsSatisfaction => "满意率", "Satisfaction";
    StatsSatisfactionDef => "作了评价的诉求中，评为“满意”或“基本满意”的比例。", "Of the rated appeals, the share rated satisfied or basically satisfied.";
    StatsRatedShare => "参评率", "Rated";
    StatsRatedShareDef => "已办结的诉求中，群众作了评价的比例。", "Of the appeals closed, the share the resident rated.";
    StatsReopened => "不满意重办", "Reopened as unsatisfied";
    StatsReopenedDef => "因群众不满意而重新打开、交上一级办理的件数。", "Appeals reopened one level up because the resident was not satisfied.";
    StatsBelow => "下一级", "One level down";
    StatsArea => "地区", "Area";
    StatsChartTitle => "办结率对比", "Share closed, by area";
    StatsChartNone => "这一时段下一级地区都没有足够的诉求，不画对比图。", "No area one level down had enough appeals in this period for a comparison.";
    StatsSuppressedNote => "“<5”：不到 5 件，不显示确切数字。“*”：5 件或以上，但为免从合计中推算出旁边的“<5”而不显示。“—”：件数太少或没有，不计算比例。", "\"<5\": fewer than 5, the exact number is not shown. \"*\": 5 or more, withheld so that a \"<5\" beside it cannot be worked out from the total. \"—\": too few or none, no share is given.";
    LedgerDownload => "导出台账（CSV，按当前筛选）", "Export the ledger (CSV, current filter)";
    LedgerSubmitted => "提交时间", "Submitted";
    LedgerCategory => "类别", "Category";
    LedgerStatus => "状态", "Status";
    LedgerUnit => "承办单位", "Handling unit";
    LedgerDeadline => "办理期限", "Deadline";
    LedgerClosed => "办结时间", "Closed";
    LedgerUrgent => "紧急", "Urgent";
    LedgerSupervised => "督办", "Supervised";
    LedgerChannel => "渠道", "Channel";
    LedgerDescription => "诉求内容", "Description";
    LedgerAnswers => "补充问题的回答", "Answers to the category's questions";
    LedgerYes => "是", "yes";
    LedgerNo => "否", "no";
    ErrSearchWords => "最多输入 5 个词，用空格隔开", "Enter at most 5 words, separated by spaces";
    ErrSearchWordLong => "每个词不超过 50 个字", "Each word may have at most 50 characters";
    ErrSearchDate => "日期的格式是 2026-12-03", "A date looks like 2026-12-03";
    ErrSearchPhoneAdmin => "管理员不能按电话查找诉求", "Administrators cannot search appeals by phone number";
    ErrSearchDateOrder => "结束日期不能早于开始日期", "The end date cannot be before the start date";
    FilterSupervised => "已督办", "Supervised";
    FilterEscalated => "交过上级", "Escalated";
    ErrLedgerTooBig => "选中的诉求超过 10 万件，无法导出为 Excel：请缩小筛选范围，或导出 CSV", "More than 100,000 appeals are selected, too many for an Excel file: narrow the filter or export CSV";
    LedgerDownloadXlsx => "导出台账（Excel，按当前筛选）", "Export the ledger (Excel, current filter)";
    LedgerContactName => "联系人", "Contact name";
    LedgerContactPhone => "联系电话", "Contact phone";
    LedgerPiiTitle => "导出含联系方式的台账", "Export the ledger with contact details";
    LedgerPiiHint => "只包含您可查看联系方式的诉求；导出和理由都会记录。", "Only appeals whose contact you may see are filled in; the export and its reason are recorded.";
    LedgerPiiReason => "导出联系方式的理由", "Why you need the contact details";
    LedgerPiiCsv => "导出 CSV（含联系方式）", "Export CSV with contact details";
    ErrIntakeTwice => "这张表已经登记过了（受理编号和查询码在第一次登记时已显示）。要登记新的诉求，请重新打开登记页。", "This form was already recorded (its ticket and key were shown then). To record another appeal, open the form again.";
    ErrChannelMissing => "请选择诉求是怎么来的", "Choose how the appeal came in";
    ChannelPhone => "电话", "Phone";
    ChannelCounter => "窗口来访", "Counter";
    ChannelPatrol => "网格巡查发现", "Found on patrol";
    ChannelWeb => "网上", "Online";
    ChannelOpen311 => "接口", "API";
    IntakeNav => "登记诉求", "Record an appeal";
    IntakeTitle => "登记电话、来访、巡查诉求", "Record a phone, counter or patrol appeal";
    IntakeLead => "按群众所说如实登记；系统按地点和类别分派，和网上提交的诉求一样计时、督办。", "Record what the resident says; the appeal is routed by place and category and timed and supervised like one submitted online.";
    IntakeChannel => "诉求来源", "How it came in";
    IntakeCell => "所在网格", "Grid cell";
    IntakeCellHint => "网格员默认是自己的网格。不知道网格时，可用下面的手机定位。", "A grid worker's own cell is chosen by default. If you do not know the cell, use the phone's location below.";
    IntakeLocation => "手机定位（可不用）", "Location from the phone (optional)";
    IntakeLocationHint => "有定位时，按定位所在的网格分派，和群众网上提交的一样；没有定位时，按上面选的网格。", "With a location, the appeal is routed by the cell it lies in, as for one submitted online; without one, by the cell chosen above.";
    IntakeLocationKept => "已带上定位：纬度 {lat}，经度 {lng}。", "A location is attached: latitude {lat}, longitude {lng}.";
    IntakeLocateFailed => "无法获取位置，请在上面选择网格。", "Could not get the location; choose the cell above.";
    IntakeDropPoint => "不用这个定位，按上面选的网格", "Do not use this location; use the cell chosen above";
    ErrIntakePointOutside => "这个定位不在本市的网格内。请重新定位，或在上面选择网格。", "This location is outside the city's grid. Locate again, or choose the cell above.";
    IntakeSms => "用短信把受理编号和查询码发给群众（需实名并留电话）", "Send the ticket and key to the resident by SMS (named residents with a phone)";
    IntakeSubmit => "登记", "Record";
    IntakeDone => "已登记。请把受理编号和查询码读给群众或打印交给群众：查询码只显示这一次。", "Recorded. Read the ticket and key to the resident or print them: the key is shown this once only.";
    IntakeSmsQueued => "短信已排队发送。", "The SMS is queued.";
    IntakePrint => "打印回执", "Print the receipt";
    IntakeAnother => "再登记一件", "Record another";
    EventSubmittedByResident => "群众提交了诉求", "The resident submitted the appeal";
    EventRecordedByStaff => "工作人员登记了诉求（{channel}）", "Recorded by staff ({channel})";
    NamedFieldsHint => "选择“匿名反映”时，下面的姓名和电话不会保存。", "If you stay anonymous, the name and phone below are not kept.";
    LegalAidUnlikelyNext => "看起来不符合法律援助条件。您仍然可以到下面的公共法律服务中心免费咨询，或者申请人民调解；如果仍想申请，也可以在页面下方提交。", "You seem not to qualify for legal aid. You can still get free advice at the public legal service centres below or ask for mediation; if you still want to apply, you can do so further down.";
    LegalChineseOnly => "本文只有中文版。", "This article is available in Chinese only.";
    StatsBusy => "统计正忙，请过一会儿再试。", "The figures are busy; please try again in a moment.";
    StatsByChannel => "各渠道受理件数", "Appeals received by channel";
    StatsChannel => "渠道", "Channel";
    StatsTooManyPeriods => "您短时间内查询了太多不同的时段，请十分钟后再试；本月、已有人查看过的时段可以随时查看。", "You asked for too many different periods in a short time; please try again in ten minutes. This month and periods others viewed lately can be opened at any time.";
    SearchTitle => "查找诉求", "Find appeals";
    SearchWords => "诉求内容中的词（空格隔开）", "Words in the description (separated by spaces)";
    SearchTicket => "受理编号", "Ticket number";
    SearchPhone => "群众电话（只查您可查看联系方式的诉求，查询会记录）", "Resident's phone (only appeals whose contact you may see; the search is recorded)";
    SearchUnit => "承办单位", "Handling unit";
    SearchFrom => "提交日期从", "Submitted from";
    SearchTo => "提交日期到", "Submitted to";
    SearchFound => "找到 {n} 件", "{n} found";
    DashboardNav => "工作统计", "Figures";
    DashboardTitle => "工作统计", "Figures for my area";
    DashboardLead => "{unit}及以下的诉求，按提交时间统计；比例不隐藏小数字。", "Appeals of {unit} and the units below it, by the time they were submitted; shares are shown however small the numbers.";
    DashboardByUnit => "下级单位", "Units below";
    DashboardByCategory => "按类别", "By category";
    DashboardBelowLine => "满意率低于 {line} 的单位", "Units below the {line} satisfaction line";
    DashboardBelowLineNone => "没有单位低于这条线（至少 5 件评价才计入）。", "No unit is below the line (a unit needs at least 5 ratings to count).";
    DashboardAttention => "需要盯办的诉求", "Appeals that need attention";
    DashboardOverdueLink => "超期未办结的诉求（{n} 件）", "Overdue appeals ({n})";
    DashboardSupervisedLink => "已督办的诉求（{n} 件）", "Supervised appeals ({n})";
    DashboardEscalatedNote => "交上级办理的诉求：{n} 件", "Escalated appeals: {n}";
    DashboardMedians => "用时中位数（小时）", "Median time (hours)";
    DashboardMedianSign => "到签收", "To sign-for";
    DashboardMedianReply => "到首次答复", "To first reply";
    DashboardMedianClose => "到办结", "To close";
    DashboardUnit => "单位", "Unit";
    StatsTrendTitle => "每月趋势", "Month by month";
    StatsTrendCaption => "最近 12 个月每月收到和办结的诉求", "Appeals received and closed in each of the last 12 months";
    StatsMonth => "月份", "Month";
    StatsTopCategories => "诉求最多的类别", "Most frequent categories";
    StatsCategory => "类别", "Category";
    StatsMapTitle => "网格分布图", "Map of grid cells";
    StatsMapLead => "颜色越深，这一时段收到的诉求越多。点网格查看它的数字。", "The darker a cell, the more appeals it received in this period. Select a cell for its figures.";
    StatsMapLegend => "图例", "Legend";
    StatsMapNone => "0 件", "none";
    StatsMapUpTo => "最多 {n} 件", "up to {n}";
    StatsMapMarked => "粗框：有超期未办结的诉求", "Thick outline: has overdue appeals";
    StatsCellLabel => "{name}：{n} 件", "{name}: {n}";
    GeoNavigate => "在地图应用中导航到这里", "Navigate here in a map app";
    StatsClosedCount => "办结件数", "Appeals closed";
    StatsCacheNote => "公开的数字约每分钟更新一次，可能比实际晚几分钟（最多约 15 分钟）。", "The public figures are refreshed about once a minute, so they may be a few minutes old (at most about 15).";
    StatsCellOverdueLabel => "{name}：{n} 件，有超期未办结的", "{name}: {n}, some overdue";
    StatsTrendChart => "每月收到和办结的件数（柱形图）", "Appeals received and closed each month (bar chart)";
    StatsTrendFew => "虚线框：不到 5 件", "Dashed box: fewer than 5";
    StatsTopNone => "这一时段没有诉求。", "No appeals in this period.";
    StatsMapSiblings => "同一社区的网格", "The grid cells of the same community";
    StatsCellName => "{community}{cell}", "{community}, {cell}";
    StatsMedianSign => "签收用时（中位数）", "Time to sign-for (median)";
    StatsMedianSignDef => "收到的诉求中已签收的，从提交到首次签收的用时，排在正中的那一件；10 小时以内精确到 0.1 小时，10 天以内到小时，再长到天。", "Of the appeals received and signed for, the time from submission to the first sign-for of the middle one; to 0.1 hour under 10 hours, to the hour under 10 days, to the day beyond.";
    StatsMedianReply => "首次答复用时（中位数）", "Time to first reply (median)";
    StatsMedianReplyDef => "收到的诉求中已答复的，从提交到第一次答复（或办结）的用时，排在正中的那一件；精度同上。", "Of the appeals received and answered, the time from submission to the first reply (or the close) of the middle one; as precise as above.";
    StatsMedianClose => "办结用时（中位数）", "Time to close (median)";
    StatsMedianCloseDef => "收到的诉求中到时段结束时已办结的，从提交到办结的用时，排在正中的那一件；不到 5 件不显示。", "Of the appeals received and closed by the end of the period, the time from submission to the close of the middle one; not shown for fewer than 5.";
    StatsHours => "{h} 小时", "{h} h";
    StatsDataNote => "每件诉求算在时段结束时办理它的单位所在地区（时段还没结束的，算现在办理它的单位；月度走势按每月月底算）；转给别的单位办理的，之前的时段不变。并入另一件的重复诉求只算一次。数字随办理进展更新。", "Each appeal counts for the area of the unit that handled it at the end of the period (for a period not over yet, the unit that handles it now; in the monthly trend, at the end of each month): a later transfer does not change an earlier period. A duplicate merged into another appeal counts once. The figures change as appeals are handled.";
    DashDataNote => "每件诉求算在现在办理它的单位（这是工作视图；公开统计页按时段结束时的办理单位计算）。并入另一件的重复诉求只算一次。", "Each appeal counts for the unit that handles it now (this is a working view; the public statistics count the unit that held it at the end of the period). A duplicate merged into another appeal counts once.";
    // Offline (issue 14): the page the service worker shows without a connection.
    OfflineTitle => "没有网络连接", "No connection";
    OfflineIntro => "这部手机现在连不上网。读过的页面和法律服务页面仍可打开；填写诉求、回执和查询进度需要联网。", "This phone is offline. Pages you have read and the legal pages still open; filling in an appeal, receipts and tracking need the connection.";
    OfflineKept => "您刚才填写的内容没有丢失：它保存在这部手机上，恢复联网后会自动发送，只发送一次。请不要关闭本页。", "What you just filled in is not lost: it is kept on this phone and will be sent by itself, once, when the connection returns. Please keep this page open.";
    OfflineNotKept => "刚才这一步没有发出。姓名、电话和照片不会保存在手机上：恢复联网后，请返回上一页再按一次。", "This step was not sent. Names, phone numbers and photos are never kept on the phone: when the connection returns, go back and press the button again.";
    OfflineWaiting => "等待发送的内容（保存在这部手机上，最多保留 24 小时）：", "Waiting to be sent (kept on this phone, for 24 hours at most):";
    OfflineWaitingStep => "您的诉求：{step}", "Your appeal: {step}";
    OfflineSending => "已恢复联网，正在发送……", "Back online, sending…";
    OfflineSent => "已发送，正在打开下一步……", "Sent. Opening the next step…";
    OfflineSendNow => "现在发送", "Send now";
    OfflineBack => "返回上一页", "Go back";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages() {
        for m in Msg::ALL {
            assert!(!m.text(Lang::ZhCn).is_empty(), "{m:?} zh");
            assert!(!m.text(Lang::En).is_empty(), "{m:?} en");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for m in Msg::ALL {
            let count = |s: &str| s.matches('{').count();
            assert_eq!(count(m.text(Lang::ZhCn)), count(m.text(Lang::En)), "{m:?}");
        }
    }

    #[test]
    fn lang_tags() {
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("fr"), Lang::ZhCn);
        assert_eq!(Lang::En.other(), Lang::ZhCn);
    }
}
