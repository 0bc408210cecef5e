"""English for every screen text, keyed by its Chinese template (tests/test_i18n.py checks that each
screen text has an entry here and that the {placeholders} agree)."""

EN: dict[str, str] = {
    # the frame: top bar, start, menu
    "社会保障卡自助服务": "Social Security Card Kiosk",
    "呼叫工作人员": "Call staff",
    "正在呼叫…": "Calling…",
    "已呼叫，请稍候": "Staff called, please wait",
    "请到服务窗口求助": "Please ask at the counter",
    "语音：开": "Voice: on",
    "语音：关": "Voice: off",
    "{n} 秒后返回首页": "Back to start in {n} s",
    "延长时间": "More time",
    "还需要时间吗？请点击“延长时间”": "Do you need more time? Tap “More time”",
    "您好，欢迎使用社保卡自助服务": "Welcome to social security card self-service",
    "申领、查询、改密、挂失、补换卡，均可在此办理": "Apply, check, change PIN, report a loss or replace your card here",
    "轻触开始办理": "Touch to start",
    "长辈模式：已开启（字更大、时间更长）": "Senior mode: on (larger text, more time)",
    "长辈模式：大字体、高对比度、更长时间": "Senior mode: larger text, higher contrast, more time",
    "请选择要办理的业务": "Choose a service",
    "上一页": "Previous page",
    "下一页": "Next page",
    "更多业务": "More services",
    "第{page}页，共{pages}页": "Page {page} of {pages}",
    "暂停服务：{down}未就绪": "Paused: {down} not ready",
    "返回首页": "Back to start",
    "完成": "Done",
    "确认": "OK",
    "取消办理": "Cancel",
    "清除": "Clear",
    "退格": "Delete",
    # menu tiles
    "社保卡状态查询": "Card status",
    "刷身份证即可查询": "Just place your ID card",
    "申领社保卡": "Apply for a card",
    "立等可取": "Made while you wait",
    "启用社保卡": "Activate your card",
    "新卡首次设置密码": "Set the PIN of a new card",
    "修改社保卡密码": "Change PIN",
    "需知道原密码": "You know the current PIN",
    "忘记密码": "Forgotten PIN",
    "身份证+社保卡重置": "Reset with ID card and card",
    "密码解锁": "Unlock PIN",
    "密码输错6次被锁": "Locked after 6 wrong PINs",
    "社保卡挂失": "Report a lost card",
    "临时挂失 · 正式挂失": "Temporary or formal",
    "解除挂失": "Cancel a loss report",
    "卡片找回后办理": "When the card is found",
    "补卡换卡": "Replace or renew",
    "丢失、损坏、到期": "Lost, damaged, expiring",
    "修改联系方式": "Change contact details",
    "手机号、地址": "Phone, address",
    "电子社保卡": "Electronic card",
    "扫码申领": "Sign up by QR code",
    "代办业务": "Act for someone",
    "监护人、受托人代办": "Guardian or agent",
    "注销说明": "Cancelling a card",
    "注销如何办理": "How to cancel",
    # common steps
    "正在检查设备": "Checking the devices",
    "正在处理": "Working",
    "请稍候，不要取走证件": "Please wait and leave your cards in place",
    "请将身份证放在读卡区": "Place your ID card on the reader",
    "请插入社保卡": "Insert your social security card",
    "请在{n}秒内完成": "Within {n} seconds, please",
    "芯片朝上，插入下方社保卡插口": "Chip facing up, into the card slot below",
    "正在打印凭条": "Printing your receipt",
    "凭条已打印": "Receipt printed",
    "请取走{what}，谢谢。": "Please take your {what}. Thank you.",
    "凭条和身份证": "receipt and ID card",
    "凭条和社保卡": "receipt and card",
    "打印凭条": "Print receipt",
    "无法继续办理": "This cannot go on",
    "系统繁忙": "System busy",
    "系统暂时无法办理此业务，请稍后再试或联系工作人员。":
        "The system cannot do this right now. Please try again later or call staff.",
    # status
    "请将身份证平放在下方读卡区，读取完成前请勿移动": "Lay your ID card flat on the reader below and keep it still",
    "正在查询": "Looking it up",
    "卡片状态：{state}": "Card status: {state}",
    # PINs
    "请输入原密码": "Enter your current PIN",
    "请输入社保卡当前的6位密码，注意遮挡": "The card's current 6-digit PIN; shield the keypad",
    "正在验证密码": "Checking the PIN",
    "请设置新密码": "Choose a new PIN",
    "6位数字，不能是相同或连续的数字，不能与初始密码相同":
        "6 digits, not all the same, not a run like 123456, not the initial PIN",
    "请再次输入新密码": "Enter the new PIN again",
    "再输入一次，确认新密码": "Once more, to confirm it",
    "正在设置密码": "Setting the PIN",
    "请输入6位数字密码": "Please enter 6 digits",
    "请输入{n}位数字": "Please enter {n} digits",
    "密码已锁定": "PIN locked",
    "社保卡密码已锁定。请持本人身份证和社保卡，在本机选择“密码解锁”设置新密码。":
        "The card's PIN is locked. With your ID card and the card, choose 'Unlock PIN' on this kiosk to set a new "
        "one.",
    "密码修改成功": "PIN changed",
    "请牢记新密码，并取走社保卡。": "Remember your new PIN and take your card.",
    # issuance
    "申领新卡需核验本人身份证": "A new card needs your own ID card",
    "正在核验申领条件": "Checking that you can apply",
    "确认申领社保卡": "Confirm your application",
    "{name}，您符合申领条件，本次申领无需缴费。\n点击“开始制卡”，约一分钟后在出卡口取卡。":
        "{name}, you can apply and there is nothing to pay.\nTouch \"Make my card\" and take it from the slot in "
        "about a minute.",
    "开始制卡": "Make my card",
    "新卡已制好，请从出卡口取走": "Your new card is ready: take it from the card slot",
    "请在{n}秒内取走新卡，超时未取将被回收": "Take it within {n} seconds, or it is taken back in for safety",
    "已出卡": "Card dispensed",
    "芯片已写入": "Chip written",
    "芯片已校验": "Chip checked",
    "卡面已打印": "Face printed",
    "正在为您制卡，请稍候": "Making your card, please wait",
    "整个过程约需一分钟，请不要离开": "It takes about a minute; please stay here",
    "正在出卡": "Taking a blank card",
    "正在写入芯片": "Writing the chip",
    "正在校验芯片": "Checking the chip",
    "正在打印卡面": "Printing the card face",
    "请取卡": "Take your card",
    "制卡完成": "Your card is ready",
    "请妥善保管您的社保卡（卡号 {number}）。\n新卡尚未启用，请选择“启用社保卡”设置您的密码。":
        "Keep your card safe (number {number}).\nIt is not active yet: choose \"Activate your card\" to set "
        "your PIN.",
    "请妥善保管您的社保卡（卡号 {number}）。": "Keep your card safe (number {number}).",
    "卡片已回收": "Card taken back",
    "您未在规定时间内取卡，卡片已被安全回收，申请仍然有效，请重新办理。":
        "The card was not taken in time and has been safely retained. Your application is still valid; "
        "please start again.",
    # loss and release
    "挂失须核验本人身份证": "A loss report needs your own ID card",
    "代办挂失，须放置持卡人（被代办人）的身份证": "Reporting for someone: place the holder's ID card",
    "代办解除挂失，须放置持卡人（被代办人）的身份证，再插入其社保卡":
        "Releasing for someone: place the holder's ID card, then insert the holder's card",
    "代办补换卡，须放置持卡人（被代办人）的身份证": "Replacing for someone: place the holder's ID card",
    "请选择挂失方式": "Which kind of loss report?",
    "临时挂失（{days}天后自动解除）": "Temporary (lapses after {days} days)",
    "正式挂失（原卡停用，需补卡）": "Formal (the card stops; a replacement is needed)",
    "暂时找不到卡片可选临时挂失；确已丢失请选正式挂失。":
        "Mislaid for now: temporary. Surely lost: formal.",
    "正式挂失后原卡不能再使用，需办理补卡。": "After a formal report the card cannot be used; you will need a replacement.",
    "确认正式挂失": "Confirm the formal loss report",
    "将正式挂失卡号为 {number} 的社保卡。挂失后原卡社保功能停用，需办理补卡；补卡前找回原卡，可持身份证和社保卡解除挂失。":
        "The card numbered {number} will be formally reported lost. Its social security function stops and a "
        "replacement is needed; if you find the card before it is replaced, release the report with your ID card "
        "and the card.",
    "确认挂失": "Report it lost",
    "正在办理挂失": "Reporting the loss",
    "挂失成功": "Loss reported",
    "已临时挂失，将于{date}自动解除。找到卡片后可持身份证和社保卡解除挂失。":
        "Reported temporarily; it lapses on {date}. If you find the card, cancel the report with your ID card "
        "and card.",
    "社保功能已正式挂失，原卡社保功能已停用，可选择“补卡换卡”补办新卡。":
        "The social security function is formally reported lost and stopped on the old card; choose 'Replace "
        "card' for a new one.",
    "解除挂失须本人身份证和社保卡": "Cancelling a loss report needs your ID card and the card",
    "请插入找回的社保卡": "Insert the card you found",
    "正在解除挂失": "Cancelling the loss report",
    "已解除挂失": "Loss report cancelled",
    "您的社保卡已恢复正常使用。请取走社保卡和身份证。": "Your card works again. Please take your card and ID card.",
    "挂失已解除，此卡仍未启用社保功能：请持身份证和社保卡办理启用。请取走社保卡和身份证。":
        "The loss report is cancelled. The card is still not activated: activate it with your ID card and the "
        "card. Please take your card and ID card.",
    "挂失已解除，此卡密码仍处于锁定状态：请持身份证和社保卡办理密码解锁。请取走社保卡和身份证。":
        "The loss report is cancelled. The card's PIN is still locked: unlock it with your ID card and the card. "
        "Please take your card and ID card.",
    # cancellation
    # PIN services with the ID card and the card
    "为他人申领，须放置持卡人（被代办人）的身份证": "Applying for someone: place the holder's ID card",
    "请放置持卡人（被代办人）的身份证": "Place the holder's ID card",
    "本业务须核验持卡人身份证和社保卡": "This needs the holder's ID card and the card",
    "社保功能已启用": "Card activated",
    "社保功能已可以使用。银行账户（金融功能）须持身份证到合作银行网点激活后，方可用于缴费和领取待遇。":
        "The social security function is ready. The bank account works for contributions and benefits only once "
        "you have activated it, with your ID card, at a branch of the partner bank.",
    "密码已重置": "PIN reset",
    "新密码已生效。": "The new PIN works now.",
    "密码已解锁": "PIN unlocked",
    "密码锁定已解除，新密码已生效。": "The lock is cleared and the new PIN works now.",
    "（系统将稍后同步）": "(The system will be updated shortly.)",
    "请牢记新密码，并取走社保卡和身份证。": "Remember your new PIN and take your card and ID card.",
    "凭条、社保卡和身份证": "receipt, card and ID card",
    # replacement and renewal
    "补换卡须核验本人身份证": "A replacement needs your own ID card",
    "请将原社保卡插入制卡模块入卡口": "Insert your old card into the card module's slot",
    "芯片朝上，插入右侧出卡口；原卡将被回收销毁": "Chip up, into the card outlet on the right; it will be kept and destroyed",
    "您的社保卡目前不能补换，请到窗口咨询。": "Your card cannot be replaced right now; please ask at a counter.",
    "暂不能补换卡": "No replacement for now",
    "（免费）": "(free)",
    "（{yuan}元）": "({yuan} yuan)",
    "请选择补换卡原因": "Why do you need a new card?",
    "原卡回收后不能再使用；社保待遇不受影响，银行账户按发卡银行规定办理。":
        "The old card stops working once kept; your benefits are not affected, and the bank account is handled "
        "under the issuing bank's rules.",
    "正在提交申请": "Sending your application",
    "请扫码缴纳补换卡费 {yuan} 元": "Scan to pay the {yuan} yuan fee",
    "请用手机扫描右侧二维码完成支付，支付成功后自动开始制卡。":
        "Scan the QR code on the right with your phone and pay; the card is made as soon as the payment arrives.",
    "收费标准由省级价格主管部门核定，由合作银行代收。请在{n}秒内完成支付。":
        "The fee is set by the provincial price authority and collected by the partner bank. Please pay within "
        "{n} seconds.",
    "不缴费，退出": "Do not pay, leave",
    "未完成缴费": "Not paid",
    "未收到缴费，未制卡。原卡已退回，请取走。": "No payment arrived, so no card was made. Please take your old card back.",
    "正在回收原卡": "Keeping the old card",
    "正在读取原卡，请稍候": "Reading your old card, please wait",
    "此卡不能受理，正在退回，请在出卡口取回": "This card cannot be accepted; take it back from the outlet",
    "补换卡完成": "Your new card is ready",
    "请取走新卡（卡号 {number}），原卡已回收。新卡须先启用再使用。":
        "Take your new card (number {number}); the old one has been kept. Activate the new card before use.",
    "您的临时社会保障卡已同时注销，不能再使用。": " Your temporary social security card has been cancelled with it and "
                                              "can no longer be used.",
    "正在退回原卡，请在出卡口取回": "Returning your old card: take it from the outlet",
    # contact details
    "修改联系方式须核验持卡人身份证": "Changing contact details needs the holder's ID card",
    "当前登记手机号：{phone}": "Mobile number on record: {phone}",
    "当前未登记手机号": "No mobile number on record",
    "请选择要修改的内容": "What would you like to change?",
    "修改手机号码": "Mobile number",
    "通讯地址改为身份证地址": "Use the ID card's address",
    "请输入新的手机号码": "Enter the new mobile number",
    "11位手机号码，用于接收社保卡业务通知": "11 digits; card notices are sent to it",
    "手机号码已改为 {phone}。": "The mobile number is now {phone}.",
    "确认通讯地址": "Confirm the address",
    "将您的通讯地址改为身份证上的地址：\n{address}": "Change your address to the one on your ID card:\n{address}",
    "确认修改": "Change it",
    "通讯地址已更新。": "The address is updated.",
    "正在提交": "Sending",
    "联系方式已修改": "Contact details changed",
    "请取走身份证。": "Please take your ID card.",
    # e-card
    "申领电子社保卡须核验本人身份证": "The e-card needs your own ID card",
    "扫码申领电子社保卡": "Scan to get your electronic card",
    "请用手机微信、支付宝或掌上12333扫描右侧二维码，按提示完成实名认证。":
        "Scan the QR code with WeChat, Alipay or the 12333 app and follow the steps to verify your identity.",
    "电子社保卡与实体社保卡同等有效，可用于就医购药、查询社保。":
        "The e-card is as valid as the physical card: for medical care, pharmacies and social security queries.",
    # cancellation guide
    "注销须到窗口办理": "Cancellation is done at a counter",
    "第{n}步：": "Step {n}:",
    "——": "—",
    "凭条": "receipt",
    # acting for someone
    "请选择代办身份": "Who are you acting as?",
    "代办人须年满18周岁，并携带本人身份证。": "You must be 18 or older and have your own ID card.",
    "监护人为未满{age}周岁的子女办理": "Guardian of a child under {age}",
    "受持卡人委托代办（须有授权委托书）": "Agent of the holder (with a power of attorney)",
    "授权委托书": "Power of attorney",
    "代办须持有持卡人本人签署的授权委托书，工作人员可能核查。\n密码类业务和电子社保卡须本人办理。":
        "An agent needs the power of attorney signed by the holder; staff may check it.\nPIN services and the "
        "e-card are for the holder in person.",
    "我持有授权委托书": "I have the power of attorney",
    "请选择代办的业务": "Which service for the holder?",
    "请放置代办人本人的身份证": "Place your own ID card (the person acting)",
    "请代办人（监护人）放置本人身份证，读取后请取回": "Acting person: place your own ID card, and take it back after reading",
    "请取回代办人身份证": "Take back your own ID card",
    "取回后，请放置持卡人（被代办人）的身份证": "Then place the holder's ID card",
}
