//! Every string the widget shows, in zh-CN, zh-TW and en. KB text (greeting, answers) comes
//! from the bundle; these are only the widget's own words.

/// The widget's interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    ZhCn,
    ZhTw,
    #[default]
    En,
}

impl Lang {
    /// Picks a language from a BCP-47 tag: `zh-TW`/`zh-HK`/`zh-Hant*` → traditional, other
    /// `zh*` → simplified, everything else → English.
    pub fn from_tag(tag: &str) -> Lang {
        let t = tag.trim().to_ascii_lowercase().replace('_', "-");
        if t.starts_with("zh") {
            if t.contains("-tw") || t.contains("-hk") || t.contains("-mo") || t.contains("hant") {
                Lang::ZhTw
            } else {
                Lang::ZhCn
            }
        } else {
            Lang::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }
}

/// A string key. One variant per visible string keeps a missing translation a compile error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Launcher,
    Unread,
    Assistant,
    You,
    Agent,
    Notice,
    Subtitle,
    // Live chat with an agent (crate::live).
    AgentSubtitle,
    AgentJoined,
    AgentTyping,
    NewReplyTitle,
    NotifyTitle,
    Close,
    NewChat,
    LogLabel,
    InputLabel,
    Placeholder,
    Send,
    Human,
    DefaultGreeting,
    Loading,
    TooLong,
    TooLongCount,
    CaseUnsent,
    CannotSend,
    DidYouMean,
    NoMatch,
    Helpful,
    NotHelpful,
    Thanks,
    SorryVote,
    RelatedLinks,
    Products,
    MoreQuestions,
    OpensNewTab,
    FailNetwork,
    FailCorrupt,
    FailEngine,
    LeaveMessage,
    FormTitle,
    FormIntro,
    HumanOffer,
    FormDescription,
    FormOrder,
    FormContact,
    FormContactHint,
    FormSend,
    FormCancel,
    FormNeedText,
    Sent,
    SentLocal,
    Queued,
    Delivered,
    Unavailable,
    CaseClosed,
    RatePrompt,
    RateStar,
    Rated,
    RateFailed,
    FormDescriptionWhy,
    FormOrderWhy,
    FormOrderInvalid,
    FormContactWhy,
    FormContactRequired,
    FormNeedContact,
    FormPhotos,
    FormPhotosWhy,
    FormPhotosWhyDamage,
    PhotoCamera,
    PhotoGallery,
    PhotoChoose,
    PhotoDropHint,
    PhotoRemove,
    PhotoAlt,
    PhotoNotImage,
    PhotoTooLarge,
    PhotoUnreadable,
    PhotoHeic,
    PhotoFileTooBig,
    PhotoLimit,
    PhotoLimitNotAdded,
    /// The first line of a case's transcript when older messages were left out.
    TranscriptCut,
    PhotoPreparing,
    PhotoUploading,
    PhotoRefused,
    PhotosStillPreparing,
    CaseSending,
    CaseWaiting,
    CaseSent,
    CaseLocal,
    CaseRefused,
    /// The notice of a case the server refused.
    Refused,
    /// The notice of a message kept on this device that could not be sent as it was.
    Unsent,
    /// The notice under a message added to the case the shopper left.
    AddedToCase,
    FollowUpFailed,
    MailOpen,
    MailTitle,
    MailIntro,
    MailLabel,
    MailSave,
    MailSend,
    MailSending,
    MailUnavailable,
    MailSent,
    MailFailed,
    MailOffline,
    MailTooMany,
    EmailSaved,
    EmailKept,
    EmailEmpty,
    EmailTooLong,
    EmailBadCharacter,
    EmailNoAt,
    EmailBadLocalPart,
    EmailBadDomain,
    EmailNotUsable,
    FormEmail,
    FormEmailWhy,
}

/// The text of `key` in `lang` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    let [cn, tw, en] = match key {
        Launcher => ["在线客服", "線上客服", "Chat with us"],
        Unread => ["条未读消息", "則未讀訊息", "unread"],
        Assistant => ["智能客服", "智慧客服", "Assistant"],
        You => ["我", "我", "You"],
        Agent => ["人工客服", "真人客服", "Agent"],
        Notice => ["提示", "提示", "Notice"],
        Subtitle => ["智能客服 · 秒回", "智慧客服 · 即時回覆", "Assistant · replies instantly"],
        AgentSubtitle => ["{name} · 人工客服", "{name} · 真人客服", "{name} · live agent"],
        AgentJoined => ["{name} 已加入对话", "{name} 已加入對話", "{name} joined the chat"],
        AgentTyping => ["客服正在输入…", "客服正在輸入…", "Agent is typing…"],
        NewReplyTitle => ["【新回复】", "【新回覆】", "New reply"],
        NotifyTitle => ["{name} 回复了您", "{name} 回覆了您", "{name} replied"],
        Close => ["关闭对话框", "關閉對話框", "Close chat"],
        NewChat => ["开始新对话", "開始新對話", "Start a new conversation"],
        LogLabel => ["对话记录", "對話紀錄", "Conversation"],
        InputLabel => ["输入您的问题", "輸入您的問題", "Type your question"],
        Placeholder => ["输入问题，例如：多久发货？", "輸入問題，例如：多久出貨？", "Ask a question, e.g. when will it ship?"],
        Send => ["发送", "送出", "Send"],
        Human => ["转人工", "轉人工", "Talk to an agent"],
        DefaultGreeting => [
            "您好，我是智能客服，有什么可以帮您？如果是订单问题，请把订单号发给我。",
            "您好，我是智慧客服，有什麼可以幫您？如果是訂單問題，請把訂單編號傳給我。",
            "Hi, I'm the shop assistant. How can I help? For an order question, send me the order number.",
        ],
        Loading => ["正在加载常见问题…", "正在載入常見問題…", "Loading answers…"],
        TooLong => [
            "一条消息最多 2000 字，超出的部分没有贴上，可以分几条发。",
            "一則訊息最多 2000 字，超出的部分沒有貼上，可以分幾則傳。",
            "A message holds up to 2,000 characters: the rest wasn't pasted. You can send it in parts.",
        ],
        TooLongCount => [
            "这条消息有 {n} 字，一条最多 2000 字，所以还没有发送。请删减一些或分几条发送，内容都还在输入框里。",
            "這則訊息有 {n} 字，一則最多 2000 字，所以還沒有送出。請刪減一些或分幾則傳送，內容都還在輸入框裡。",
            "This message has {n} characters; one message holds up to 2,000, so it hasn't been sent. Please shorten it or send it in parts: all of it is still in the box.",
        ],
        DidYouMean => ["您想问的是不是：", "您想問的是不是：", "Did you mean:"],
        NoMatch => [
            "这个问题我还答不上来。可以换个说法再问，或者给人工客服留言，我们会尽快回复您。",
            "這個問題我還答不上來。可以換個說法再問，或者留言給真人客服，我們會盡快回覆您。",
            "I don't have an answer for that yet. Try asking another way, or leave a message for our team and we'll get back to you.",
        ],
        Helpful => ["有帮助", "有幫助", "Helpful"],
        NotHelpful => ["没帮助", "沒幫助", "Not helpful"],
        Thanks => ["谢谢您的反馈！", "謝謝您的回饋！", "Thanks for the feedback!"],
        SorryVote => [
            "抱歉没帮上忙。可以换个说法再问，或者转人工。",
            "抱歉沒幫上忙。可以換個說法再問，或者轉真人客服。",
            "Sorry that didn't help. Try asking another way, or talk to an agent.",
        ],
        RelatedLinks => ["相关链接", "相關連結", "Related links"],
        Products => ["相关商品", "相關商品", "Products"],
        MoreQuestions => ["您可能还想问", "您可能還想問", "You might also ask"],
        OpensNewTab => ["（在新标签页打开）", "（在新分頁開啟）", " (opens in a new tab)"],
        FailNetwork => [
            "抱歉，常见问题没能加载（网络或服务器出了问题），我暂时无法自动回答。您可以给人工客服留言，我们会尽快回复。",
            "抱歉，常見問題沒能載入（網路或伺服器出了問題），我暫時無法自動回答。您可以留言給真人客服，我們會盡快回覆。",
            "Sorry, the help articles couldn't be loaded (a network or server problem), so I can't answer automatically right now. You can leave a message for our team and we'll get back to you.",
        ],
        FailCorrupt => [
            "抱歉，本店的常见问题文件已损坏，暂时无法自动回答。您可以给人工客服留言，我们会尽快回复。",
            "抱歉，本店的常見問題檔案已損壞，暫時無法自動回答。您可以留言給真人客服，我們會盡快回覆。",
            "Sorry, this shop's help file is damaged and can't be read, so I can't answer automatically right now. You can leave a message for our team and we'll get back to you.",
        ],
        FailEngine => [
            "抱歉，智能客服暂时无法使用。您可以给人工客服留言，我们会尽快回复。",
            "抱歉，智慧客服暫時無法使用。您可以留言給真人客服，我們會盡快回覆。",
            "Sorry, the assistant isn't working right now. You can leave a message for our team and we'll get back to you.",
        ],
        LeaveMessage => ["给人工客服留言", "留言給真人客服", "Leave a message for an agent"],
        FormTitle => ["给人工客服留言", "留言給真人客服", "Message an agent"],
        FormIntro => [
            "人工客服会按顺序回复，回复就显示在这里。我们只问处理问题需要的信息。",
            "真人客服會依序回覆，回覆就顯示在這裡。我們只問處理問題需要的資訊。",
            "An agent will reply here, in turn. We only ask for what's needed to help you.",
        ],
        HumanOffer => [
            "好的，请给人工客服留言，客服会按顺序回复您。对话记录会一并发送，您不用重复说明。",
            "好的，請留言給真人客服，客服會依序回覆您。對話紀錄會一併送出，您不用重複說明。",
            "Of course. Leave a message for our team and an agent will reply in turn. This conversation is attached, so you won't need to repeat yourself.",
        ],
        FormDescription => ["遇到了什么问题？", "遇到了什麼問題？", "What do you need help with?"],
        FormOrder => ["订单号", "訂單編號", "Order number"],
        FormContact => ["联系方式（选填）", "聯絡方式（選填）", "How can we reach you? (optional)"],
        FormContactRequired => ["联系方式", "聯絡方式", "How can we reach you?"],
        FormDescriptionWhy => [
            "用您自己的话说说情况就好，上面的对话会一并发给客服。",
            "用您自己的話說說情況就好，上面的對話會一併傳給客服。",
            "In your own words; the conversation above is sent along with it.",
        ],
        FormOrderWhy => [
            "有了订单号，客服可以直接查到您的订单，不用再问您。",
            "有了訂單編號，客服可以直接查到您的訂單，不用再問您。",
            "With it the agent can look up your order straight away, without asking you again.",
        ],
        FormOrderInvalid => [
            "这个订单号的格式不对，请在“我的订单”里核对一下（也可以不填）。",
            "這個訂單編號的格式不對，請在「我的訂單」裡核對一下（也可以不填）。",
            "That doesn't look like one of our order numbers. Please check it under “My orders” (or leave it empty).",
        ],
        FormContactWhy => [
            "只用于您离开网页后联系您，不作他用。",
            "只用於您離開網頁後聯絡您，不作他用。",
            "Only to reach you if you leave this page; used for nothing else.",
        ],
        FormNeedContact => [
            "请留下手机号或邮箱，方便客服联系您。",
            "請留下手機號碼或電子郵件，方便客服聯絡您。",
            "Please leave a phone number or email so an agent can reach you.",
        ],
        FormPhotos => ["照片（选填，最多 {n} 张）", "照片（選填，最多 {n} 張）", "Photos (optional, up to {n})"],
        FormPhotosWhy => [
            "有截图或照片的话附上，客服一看就明白。",
            "有截圖或照片的話附上，客服一看就明白。",
            "A screenshot or photo shows the agent at a glance what you mean.",
        ],
        FormPhotosWhyDamage => [
            "拍一下破损或问题的地方和包装上的面单，客服不用再问就能处理。",
            "拍一下破損或問題的地方和包裝上的貨運單，客服不用再問就能處理。",
            "A photo of the damage or problem and of the parcel label lets the agent act without asking again.",
        ],
        PhotoCamera => ["拍照", "拍照", "Take a photo"],
        PhotoGallery => ["从相册选择", "從相簿選擇", "Choose from gallery"],
        PhotoChoose => ["添加照片", "新增照片", "Add photos"],
        PhotoDropHint => ["也可以直接粘贴或拖入图片", "也可以直接貼上或拖入圖片", "or paste or drop images here"],
        PhotoRemove => ["删除第 {n} 张照片", "刪除第 {n} 張照片", "Remove photo {n}"],
        PhotoAlt => ["照片", "照片", "Photo"],
        PhotoNotImage => [
            "“{name}”不是照片，只能添加 JPEG、PNG、WebP 或 HEIC 格式的图片。",
            "「{name}」不是照片，只能新增 JPEG、PNG、WebP 或 HEIC 格式的圖片。",
            "“{name}” isn't a photo: only JPEG, PNG, WebP or HEIC images can be added.",
        ],
        PhotoTooLarge => [
            "“{name}”太大了（{w}×{h} 像素），请换一张照片或截图。",
            "「{name}」太大了（{w}×{h} 像素），請換一張照片或截圖。",
            "“{name}” is too large ({w}×{h} pixels). Please choose another photo or a screenshot.",
        ],
        PhotoUnreadable => [
            "“{name}”打不开，文件可能已损坏。请换一张照片。",
            "「{name}」打不開，檔案可能已損壞。請換一張照片。",
            "“{name}” can't be opened; the file may be damaged. Please choose another photo.",
        ],
        PhotoHeic => [
            "这个浏览器打不开 HEIC 格式的“{name}”。请换成 JPEG（相机设置里的“兼容性最佳”）或截图。",
            "這個瀏覽器打不開 HEIC 格式的「{name}」。請換成 JPEG（相機設定裡的「最相容」）或截圖。",
            "This browser can't open “{name}” (HEIC). Please use JPEG (“Most Compatible” in the camera settings) or a screenshot.",
        ],
        PhotoFileTooBig => [
            "“{name}”文件太大，请换一张照片。",
            "「{name}」檔案太大，請換一張照片。",
            "“{name}” is too big a file. Please choose another photo.",
        ],
        PhotoLimit => ["最多只能添加 {n} 张照片。", "最多只能新增 {n} 張照片。", "You can add up to {n} photos."],
        PhotoLimitNotAdded => [
            "最多只能添加 {n} 张照片，{names}没有添加。",
            "最多只能新增 {n} 張照片，{names}沒有新增。",
            "You can add up to {n} photos: {names} not added.",
        ],
        TranscriptCut => [
            "（对话较长，前面 {n} 条消息未附上。）",
            "（對話較長，前面 {n} 則訊息未附上。）",
            "(A long conversation: the {n} earliest messages are not included.)",
        ],
        PhotoPreparing => ["正在处理照片…", "正在處理照片…", "Preparing the photo…"],
        PhotoUploading => ["照片 {n} 上传进度", "照片 {n} 上傳進度", "Photo {n} upload"],
        PhotoRefused => [
            "有一张照片没能上传（服务器拒收），其余内容已送达。",
            "有一張照片沒能上傳（伺服器拒收），其餘內容已送達。",
            "One photo couldn't be uploaded (the server refused it); everything else arrived.",
        ],
        PhotosStillPreparing => [
            "照片还在处理中，请稍等一下再发送。",
            "照片還在處理中，請稍等一下再送出。",
            "A photo is still being prepared; please send in a moment.",
        ],
        CaseSending => ["正在发送…", "正在送出…", "Sending…"],
        CaseWaiting => [
            "已保存在本机，联网后自动发送",
            "已儲存在本機，連線後自動送出",
            "Saved on this device; sent when you're back online",
        ],
        CaseSent => ["已送达人工客服", "已送達真人客服", "Delivered to our team"],
        AddedToCase => [
            "已补充到您的留言里，接手的同事会一起看到。",
            "已補充到您的留言裡，接手的同事會一起看到。",
            "Added to your message: the colleague who takes it will see this too.",
        ],
        FollowUpFailed => [
            "这条消息没能发给客服（网络不通）。请稍后再发一次。",
            "這則訊息沒能傳給客服（網路不通）。請稍後再傳一次。",
            "That message couldn't reach the agent (no connection). Please send it again in a moment.",
        ],
        CaseLocal => ["已交给本店客服", "已交給本店客服", "Passed to the shop's team"],
        CaseRefused => ["没能送达", "沒能送達", "Not delivered"],
        CaseUnsent => ["没有发出", "沒有送出", "Not sent"],
        CannotSend => [
            "抱歉，这个页面目前无法发送留言，您的留言没有发出。内容仍保留在上方，您可以复制下来，通过本店的其他方式联系我们。",
            "抱歉，這個頁面目前無法送出留言，您的留言沒有送出。內容仍保留在上方，您可以複製下來，透過本店的其他方式聯絡我們。",
            "Sorry, messages can't be sent from this page, so yours wasn't sent. It's still shown above: you can copy it and reach the shop another way.",
        ],
        Refused => [
            "这条留言没能送达：本店的服务器没有接收。您写的内容已放回留言表单，可以修改后再发送。",
            "這則留言沒能送達：本店的伺服器沒有接收。您寫的內容已放回留言表單，可以修改後再送出。",
            "This message couldn't be delivered: the shop's server didn't accept it. What you wrote is back in the form, so you can change it and send it again.",
        ],
        Unsent => [
            "之前保存在本机的一条留言没能按原样发送。您写的内容已放回留言表单，请检查后再发送。",
            "之前儲存在本機的一則留言沒能照原樣送出。您寫的內容已放回留言表單，請檢查後再送出。",
            "A message saved on this device earlier couldn't be sent as it was. What you wrote is back in the form: please check it and send it again.",
        ],
        FormContactHint => ["手机号或邮箱", "手機號碼或電子郵件", "Phone or email"],
        FormSend => ["发送留言", "送出留言", "Send message"],
        FormCancel => ["取消", "取消", "Cancel"],
        FormNeedText => ["请先写下您遇到的问题。", "請先寫下您遇到的問題。", "Please describe the problem first."],
        Sent => [
            "留言已发送，人工客服会尽快回复您。",
            "留言已送出，真人客服會盡快回覆您。",
            "Your message has been sent. An agent will get back to you soon.",
        ],
        SentLocal => [
            "留言已交给本店客服，人工客服会尽快回复您。",
            "留言已交給本店客服，真人客服會盡快回覆您。",
            "Your message has been passed to the shop's team. An agent will get back to you soon.",
        ],
        Queued => [
            "网络暂时不通，留言已保存在本机，联网后会自动发送。",
            "網路暫時不通，留言已儲存在本機，連線後會自動送出。",
            "You seem to be offline. Your message is saved on this device and will be sent automatically when you're back online.",
        ],
        Delivered => [
            "之前保存的留言已经发送成功。",
            "之前儲存的留言已經送出。",
            "Your saved message has now been sent.",
        ],
        RatePrompt => ["请为本次人工服务打分：", "請為這次真人服務評分：", "How did our agent do?"],
        RateStar => ["分", "分", "out of 5"],
        Rated => ["感谢您的评价！", "謝謝您的評價！", "Thank you for rating us!"],
        RateFailed => [
            "评价没能发送（网络不通）。请稍后再点一次星星。",
            "評價沒能送出（網路不通）。請稍後再點一次星星。",
            "Your rating couldn't be sent (no connection). Please tap the stars again in a moment.",
        ],
        CaseClosed => [
            "人工客服已结束本次服务，感谢您的耐心。",
            "真人客服已結束本次服務，感謝您的耐心。",
            "The agent has closed this conversation. Thank you for your patience.",
        ],
        MailOpen => ["留下邮箱，或把对话发到邮箱", "留下電子郵件，或把對話寄到信箱", "Leave your e-mail, or e-mail this conversation"],
        MailTitle => ["您的邮箱", "您的電子郵件", "Your e-mail"],
        MailIntro => [
            "留下邮箱，人工客服可以在您离开网页后给您回邮件；也可以把这段对话发到邮箱留底。邮箱只用于这两件事。",
            "留下電子郵件，真人客服可以在您離開網頁後回信給您；也可以把這段對話寄到信箱留存。電子郵件只用於這兩件事。",
            "Leave your e-mail so an agent can write to you after you leave this page, or to keep a copy of this conversation. It's used for nothing else.",
        ],
        MailLabel => ["邮箱地址", "電子郵件地址", "E-mail address"],
        MailSave => ["保存邮箱", "儲存", "Save"],
        MailSend => ["把对话发到邮箱", "把對話寄到信箱", "E-mail me this conversation"],
        MailSending => ["正在发送…", "正在寄送…", "Sending…"],
        MailUnavailable => [
            "本店还没有开通邮件发送，暂时不能把对话发到邮箱。您留下的邮箱人工客服仍然能看到。",
            "本店還沒有開通郵件寄送，暫時無法把對話寄到信箱。您留下的電子郵件真人客服仍然看得到。",
            "This shop hasn't set up e-mail, so the conversation can't be sent by e-mail. An agent can still see the address you leave.",
        ],
        MailSent => [
            "对话记录已发到您的邮箱，请查收（没收到的话，看看垃圾邮件）。",
            "對話紀錄已寄到您的信箱，請查收（沒收到的話，看看垃圾郵件）。",
            "We've e-mailed you this conversation. If it isn't in your inbox, check the spam folder.",
        ],
        MailFailed => [
            "邮件没能发出（邮件服务器暂时没有响应），请稍后再试。您填的邮箱还在。",
            "郵件沒能寄出（郵件伺服器暫時沒有回應），請稍後再試。您填的電子郵件還在。",
            "The e-mail couldn't be sent (the mail server isn't answering). Please try again in a moment; your address is still here.",
        ],
        MailOffline => [
            "网络不通，邮件没能发出，请稍后再试。",
            "網路不通，郵件沒能寄出，請稍後再試。",
            "No connection, so the e-mail couldn't be sent. Please try again in a moment.",
        ],
        MailTooMany => [
            "发送得太频繁了，请过几分钟再试。",
            "寄送得太頻繁了，請過幾分鐘再試。",
            "That's a lot of e-mails for now. Please try again in a few minutes.",
        ],
        EmailSaved => [
            "邮箱已保存，人工客服可以看到。",
            "電子郵件已儲存，真人客服看得到。",
            "Your e-mail is saved; our agents can see it.",
        ],
        EmailKept => [
            "邮箱已记下，给人工客服留言时会一并发送。",
            "電子郵件已記下，留言給真人客服時會一併送出。",
            "Got your e-mail. It goes along when you leave a message for an agent.",
        ],
        EmailEmpty => ["请先填写邮箱地址。", "請先填寫電子郵件地址。", "Please enter your e-mail address first."],
        EmailTooLong => ["邮箱地址太长了，请检查一下。", "電子郵件地址太長了，請檢查一下。", "That e-mail address is too long. Please check it."],
        EmailBadCharacter => [
            "邮箱地址里不能有空格，也不能有 <>,;\"?%&=# 这类符号。",
            "電子郵件地址裡不能有空格，也不能有 <>,;\"?%&=# 這類符號。",
            "An e-mail address can't contain spaces or characters such as <>,;\"?%&=#.",
        ],
        EmailNoAt => [
            "邮箱地址要有一个 @，例如 name@example.com。",
            "電子郵件地址要有一個 @，例如 name@example.com。",
            "An e-mail address needs one @, as in name@example.com.",
        ],
        EmailBadLocalPart => [
            "@ 前面的部分不对：不能空着，不能以点开头或结尾，也不能有两个连着的点。",
            "@ 前面的部分不對：不能空著，不能以點開頭或結尾，也不能有兩個連著的點。",
            "The part before the @ isn't right: it can't be empty, start or end with a dot, or have two dots in a row.",
        ],
        EmailBadDomain => [
            "@ 后面要是一个域名，例如 qq.com 或 example.com。",
            "@ 後面要是一個網域，例如 gmail.com 或 example.com。",
            "The part after the @ must be a domain such as example.com.",
        ],
        EmailNotUsable => [
            "这个邮箱地址没法收信，请换一个地址试试。",
            "這個電子郵件地址沒辦法收信，請換一個地址試試。",
            "Mail can't be sent to this address. Please try another one.",
        ],
        FormEmail => ["邮箱（选填）", "電子郵件（選填）", "E-mail (optional)"],
        FormEmailWhy => [
            "方便客服在您离开网页后用邮件联系您；不填也没关系，回复会显示在这里。",
            "方便客服在您離開網頁後用郵件聯絡您；不填也沒關係，回覆會顯示在這裡。",
            "So an agent can write to you after you leave this page. Optional: replies also show up here.",
        ],
        Unavailable => [
            "这条回答已不可用。",
            "這則回答已無法顯示。",
            "This answer is no longer available.",
        ],
    };
    match lang {
        Lang::ZhCn => cn,
        Lang::ZhTw => tw,
        Lang::En => en,
    }
}

/// What the shopper is told about an e-mail address that cannot be used.
pub fn email_problem(e: kefu_core::email::EmailError) -> Key {
    use kefu_core::email::EmailError as E;
    match e {
        E::Empty => Key::EmailEmpty,
        E::TooLong => Key::EmailTooLong,
        E::BadCharacter => Key::EmailBadCharacter,
        E::NoAt => Key::EmailNoAt,
        E::BadLocalPart => Key::EmailBadLocalPart,
        E::BadDomain => Key::EmailBadDomain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(Lang::from_tag("zh-HK"), Lang::ZhTw);
        assert_eq!(Lang::from_tag("zh-Hant-TW"), Lang::ZhTw);
        assert_eq!(Lang::from_tag("zh"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("zh_CN"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
    }

    /// The policy's lines that point at the hand-off button name it as the widget labels it.
    #[test]
    fn replies_name_the_hand_off_button_as_it_is_labelled() {
        use kefu_core::reply::wording::{offer_human, order_noted};
        use kefu_core::Locale;
        for (lang, loc) in [(Lang::ZhCn, Locale::ZhCn), (Lang::ZhTw, Locale::ZhTw), (Lang::En, Locale::En)] {
            let label = t(lang, Key::LeaveMessage);
            assert!(offer_human(loc).contains(label), "{}", offer_human(loc));
            assert!(order_noted(loc).contains(label), "{}", order_noted(loc));
            let sorry = kefu_core::reply::wording::smalltalk(loc, kefu_core::reply::Smalltalk::NotHelpful, "", None, 0);
            assert!(sorry.contains(label), "{sorry}");
        }
    }
}
