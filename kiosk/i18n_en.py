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
    "您好，请选择要办理的业务": "Hello, please choose a service",
    "长辈模式：已开启": "Senior mode: on",
    "长辈模式（大字）": "Senior mode (larger text)",
    "上一页": "Previous page",
    "下一页": "Next page",
    "更多业务": "More services",
    "第{page}页，共{pages}页": "Page {page} of {pages}",
    "返回首页": "Back to start",
    "完成": "Done",
    "确认": "OK",
    "取消办理": "Cancel",
    "清除": "Clear",
    "更正": "Delete",
    "输满6位后自动进入下一步": "After the sixth digit, the next step comes by itself",
    # menu tiles
    "社保卡状态查询": "Card status",
    "刷身份证即可查询": "Only your ID card needed",
    "申领社保卡": "Apply for a card",
    "立等可取": "Made while you wait",
    "启用社保卡": "Activate your card",
    "新卡首次设置密码": "Set a new card's first PIN",
    "修改社保卡密码": "Change PIN",
    "需知道原密码": "If you know the current PIN",
    "忘记密码": "Forgotten PIN",
    "身份证+社保卡重置": "Reset it with your ID card and card",
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
    "电子社保卡": "E-card",
    "扫码申领": "Sign up by QR code",
    "代办业务": "Act for someone",
    "监护人、受托人代办": "Guardian or agent",
    "注销说明": "Cancelling a card",
    "注销如何办理": "How to cancel",
    # common steps
    "正在检查设备": "Checking the devices",
    "正在处理": "Please wait",
    "请稍候，不要取走证件": "Please wait and leave your cards in place",
    "请将身份证放在读卡区": "Place your ID card on the reader",
    "请插入社保卡": "Insert your social security card",
    "请在{n}秒内完成": "Please finish within {n} seconds",
    "芯片朝上，插入下方社保卡插口": "Insert it chip side up into the card slot below",
    "正在打印凭条": "Printing your receipt",
    "凭条已打印": "Receipt printed",
    "请取走{what}，谢谢。": "Please take your {what}. Thank you.",
    "凭条和身份证": "receipt and ID card",
    "凭条和社保卡": "receipt and card",
    "打印凭条": "Print receipt",
    "无法继续办理": "This service cannot continue",
    "系统繁忙": "The system is busy",
    "系统暂时无法办理此业务，请稍后再试或联系工作人员。":
        "The system cannot do this right now. Please try again later or call staff.",
    "正在核验身份证": "Checking your ID card",
    "办理“{service}”": "Go to '{service}'",
    "本机可读：居民身份证、港澳台居民居住证、外国人永久居留身份证":
        "This reader takes resident ID cards, Hong Kong, Macao and Taiwan residence permits, and foreign "
        "permanent residence ID cards",
    "持护照等其他证件，请到社会保障卡服务窗口办理": "With a passport or other papers, go to a social security card counter",
    # status
    "请将身份证平放在下方读卡区，读取完成前请勿移动": "Lay your ID card flat on the reader below and keep it still",
    "正在查询": "Looking it up",
    "卡片状态：{state}": "Card status: {state}",
    # PINs
    "请输入原密码": "Enter your current PIN",
    "请输入社保卡当前的6位密码，注意遮挡": "Enter the card's current 6-digit PIN; cover the keypad with your hand",
    "正在验证密码": "Checking the PIN",
    "请设置新密码": "Choose a new PIN",
    "6位数字，不能是相同或连续的数字，不能与初始密码相同":
        "6 digits: not all the same, not in a row like 123456, and not the initial PIN",
    "请再次输入新密码": "Enter the new PIN again",
    "再输入一次，确认新密码": "Enter it once more to confirm",
    "正在设置密码": "Setting the PIN",
    "请输入6位数字密码": "Please enter a 6-digit PIN",
    "请输入{n}位数字": "Please enter {n} digits",
    "密码已锁定": "PIN locked",
    "社保卡密码已锁定。请持本人身份证和社保卡，在本机选择“密码解锁”设置新密码。":
        "The card's PIN is locked. With your ID card and the card, choose 'Unlock PIN' on this kiosk to set a new "
        "one.",
    "密码修改成功": "PIN changed",
    "确认修改密码": "Change the PIN?",
    "将修改社保卡（卡号 {number}）的密码。\n修改后原密码不能再使用，请牢记新密码。":
        "The PIN of the card numbered {number} will be changed.\nThe old PIN will stop working, so remember the "
        "new one.",
    "密码未修改": "PIN not changed",
    "您没有确认，社保卡密码没有改变，原密码仍然有效。请取走社保卡。":
        "You did not confirm, so your PIN is unchanged and the old one still works. Please take your card.",
    "请牢记新密码，并取走社保卡。": "Remember your new PIN and take your card.",
    # issuance
    "申领新卡需核验本人身份证": "To apply, place your own ID card",
    "正在核验申领条件": "Checking that you can apply",
    "确认申领社保卡": "Confirm your application",
    "{name}，您符合申领条件，本次申领无需缴费。\n点击“开始制卡”，约一分钟后在右侧出卡口取卡。":
        "{name}, you can apply and there is nothing to pay.\nTouch 'Make my card', and in about a minute take it "
        "from the card outlet on the right.",
    "开始制卡": "Make my card",
    # the photo on the new card (kiosk/flows/photo_step.py)
    "请确认制卡照片": "Check the photo for your card",
    "这张照片将印在您的社保卡上。\n满意请点“确认使用此照片”，不满意可以重新拍照。":
        "This photo will be printed on your card.\nIf you are happy with it, touch \"Use this photo\"; if not, "
        "you can take it again.",
    "确认使用此照片": "Use this photo",
    "重新拍照": "Take it again",
    "照片": "Photo",
    "卡面预览": "Your card will look like this",
    "新卡已制好，请从出卡口取走": "Your new card is ready. Take it from the card outlet",
    "请在{n}秒内取走新卡，超时未取将被回收": "Please take it within {n} seconds; otherwise the machine keeps it, for safety",
    "已出卡": "Blank card taken out",
    "芯片已写入": "Chip written",
    "芯片已校验": "Chip checked",
    "卡面已打印": "Card face printed",
    "正在为您制卡，请稍候": "Making your card, please wait",
    "整个过程约需一分钟，请不要离开": "It takes about a minute; please stay here",
    "正在出卡": "Taking out a blank card",
    "正在写入芯片": "Writing the chip",
    "正在校验芯片": "Checking the chip",
    "正在打印卡面": "Printing the card face",
    "请取卡": "Take your card",
    "制卡完成": "Your card is ready",
    "请妥善保管您的社保卡（卡号 {number}）。\n新卡须设置密码后才能使用：点击“立即启用”，把新卡插入社保卡插口，设置6位密码。":
        "Keep your card safe (number {number}).\nIt needs a PIN before it can be used: touch \"Activate now\", put "
        "the new card into the card slot and choose a 6-digit PIN.",
    "立即启用": "Activate now",
    "完成，以后再启用": "Done, I will activate it later",
    "请妥善保管您的社保卡（卡号 {number}）。\n新卡尚未启用，请选择“启用社保卡”设置您的密码。":
        "Keep your card safe (number {number}).\nIt is not activated yet: choose 'Activate your card' to set "
        "your PIN.",
    "请妥善保管您的社保卡（卡号 {number}）。": "Keep your card safe (number {number}).",
    "卡片已回收": "The machine has kept your card",
    "您未在规定时间内取卡，卡片已被安全回收，申请仍然有效，请重新办理。":
        "The card was not taken in time, so the machine has kept it safely. Your application still stands; "
        "please start again.",
    # loss and release
    "挂失须核验本人身份证": "A loss report needs your own ID card",
    "代办挂失，须放置持卡人（被代办人）的身份证": "Reporting for someone: place the holder's ID card",
    "代办解除挂失，须放置持卡人（被代办人）的身份证，再插入其社保卡":
        "Cancelling a report for someone: place the holder's ID card, then insert the holder's card",
    "代办补换卡，须放置持卡人（被代办人）的身份证": "Replacing for someone: place the holder's ID card",
    "请选择挂失方式": "Which kind of loss report?",
    "临时挂失（{days}天后自动解除）": "Temporary (ends by itself after {days} days)",
    "正式挂失（原卡停用，需补卡）": "Formal (the card stops working; you will need a new one)",
    "暂时找不到卡片可选临时挂失；确已丢失请选正式挂失。":
        "If you have only mislaid the card, choose temporary. If it is surely lost, choose formal.",
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
        "Reported lost for now; the report ends by itself on {date}. If you find the card, cancel the report "
        "with your ID card and the card.",
    "社保功能已正式挂失，原卡社保功能已停用，可选择“补卡换卡”补办新卡。":
        "The card is formally reported lost and its social security use has stopped. For a new card, choose "
        "'Replace or renew'.",
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
    # PIN services with the ID card and the card
    "为他人申领，须放置持卡人（被代办人）的身份证": "Applying for someone: place the holder's ID card",
    "请放置持卡人（被代办人）的身份证": "Place the holder's ID card",
    "本业务须核验持卡人身份证和社保卡": "This service needs the holder's ID card and social security card",
    "社保功能已启用": "Card activated",
    "社保功能已可以使用。银行账户（金融功能）须持身份证到合作银行网点激活后，方可用于缴费和领取待遇。":
        "Your card is ready to use. Its bank account works for contributions and benefits only after you activate "
        "it at a branch of the partner bank, with your ID card.",
    "密码已重置": "PIN reset",
    "新密码已生效。": "The new PIN works now.",
    "密码已解锁": "PIN unlocked",
    "密码锁定已解除，新密码已生效。": "The lock is cleared and the new PIN works now.",
    "（系统将稍后同步）": "(The system will be updated shortly.)",
    "请牢记新密码，并取走社保卡和身份证。": "Remember your new PIN and take your card and ID card.",
    "凭条、社保卡和身份证": "receipt, card and ID card",
    # replacement and renewal
    "补换卡须核验本人身份证": "A replacement needs your own ID card",
    "请将原社保卡插入右侧出卡口": "Insert your old card into the card outlet on the right",
    "芯片朝上插入。本机先读取原卡，您选好原因、缴费后，原卡才会被收回":
        "Chip side up. The kiosk reads it first, and keeps it only after you have chosen a reason and paid",
    "您的社保卡目前不能补换。请携带身份证和社保卡到社会保障卡服务窗口咨询。":
        "Your card cannot be replaced at the moment. Please ask at a social security card counter, with your ID "
        "card and the card.",
    "暂不能补换卡": "No replacement for now",
    "（免费）": "(free)",
    "（{yuan}元）": "({yuan} yuan)",
    "请选择补换卡原因": "Why do you need a new card?",
    "选好原因并缴费后，原卡才会被收回；社保待遇不受影响，银行账户按发卡银行规定办理。":
        "The old card is kept only after you choose a reason and pay. Your benefits are not affected; the bank "
        "account follows the issuing bank's rules.",
    "正在提交申请": "Sending your application",
    "请扫码缴纳补换卡费 {yuan} 元": "Scan to pay the {yuan} yuan fee",
    "请用手机扫描右侧二维码完成支付，支付成功后自动开始制卡。":
        "Scan the QR code on the right with your phone and pay; the card is made as soon as the payment arrives.",
    "收费标准由省级价格主管部门核定，由合作银行代收。请在{n}秒内完成支付。":
        "The fee is set by the provincial price authority and collected by the partner bank. Please pay within "
        "{n} seconds.",
    "不缴费，退出": "Leave without paying",
    "未完成缴费": "Not paid",
    "未收到缴费，没有制卡。原卡已退到右侧出卡口，请取走。":
        "No payment arrived, so no card was made. Your old card is at the card outlet on the right; please take it.",
    "正在回收原卡": "Taking in your old card",
    "正在读取原卡，请稍候": "Reading your old card, please wait",
    "此卡不能受理，已退到右侧出卡口，请取回": "This card cannot be used here. It is back at the card outlet on the right; please take it",
    "补换卡完成": "Your new card is ready",
    "新卡（卡号 {number}）已取走，原卡已收回。新卡须先启用再使用。":
        "You have your new card (number {number}); the old one has been kept. Activate the new card before you "
        "use it.",
    "您的临时社会保障卡已同时注销，不能再使用。": "Your temporary social security card has been cancelled too and "
                                              "can no longer be used.",
    "正在退回原卡，请在右侧出卡口取回": "Returning your old card: take it from the card outlet on the right",
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
    "扫码申领电子社保卡": "Scan to get your e-card",
    "请用手机微信、支付宝或掌上12333扫描右侧二维码，按提示完成实名认证。":
        "Scan the QR code with WeChat, Alipay or the 12333 app and follow the steps to verify your identity.",
    "电子社保卡与实体社保卡同等有效，可用于就医购药、查询社保。":
        "The e-card is as valid as the physical card: for medical care, pharmacies and social security queries.",
    # cancellation guide
    "为什么要注销社保卡？": "Why cancel the card?",
    "本机不能办理注销。选择原因，看看要去哪里、带什么。":
        "This kiosk cannot cancel a card. Choose the reason to see where to go and what to bring.",
    "只是搬家或换工作": "I am only moving home or job",
    "搬家不用注销社保卡": "Moving does not mean cancelling your card",
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
    "请选择代办的业务": "Which service are you doing for the holder?",
    "请放置代办人本人的身份证": "Person acting: place your own ID card",
    "请代办人（监护人）放置本人身份证，读取后请取回": "Place your own ID card, then take it back once it has been read",
    "请取回代办人身份证": "Take back your own ID card",
    "取回后，请放置持卡人（被代办人）的身份证": "Then place the holder's ID card",
    # the replacement fee: confirmed first, and payable at a counter (kiosk/flows/counter_payment.py)
    "请确认补换卡": "Confirm the replacement",
    "社保卡：{card}\n补换原因：{reason}\n": "Card: {card}\nReason: {reason}\n",
    "费用：{yuan}元，确认后扫码缴纳（也可到窗口缴纳）。": "Fee: {yuan} yuan, paid by scanning a QR code next (or at a counter).",
    "费用：免费。": "Fee: none.",
    "费用：已缴纳，无需再缴。": "Fee: already paid; nothing more to pay.",
    "费用：以系统核定为准，确认后显示。": "Fee: set by the card service, shown on the next screen.",
    "缴费后，您插入的原卡将被本机回收并注销，不能再使用；新卡当场制作。选择“取消”不收取任何费用，原卡退还给您。":
        "Once you pay, the kiosk keeps your old card and cancels it, and makes your new card here and now. "
        "Tap “Cancel” and you pay nothing and get your old card back.",
    "新卡制成后，原卡注销，不能再使用。选择“取消”不收取任何费用。":
        "Once the new card is made, the old card is cancelled for good. Tap “Cancel” and you pay nothing.",
    "确认缴费办理": "Confirm and pay",
    "确认办理": "Confirm",
    "取消": "Cancel",
    "不能扫码？": "Can't scan?",
    "不能用手机扫码？": "Can't pay by phone?",
    "您可以打印缴费单到窗口缴费，或请工作人员来帮您。": "Print a payment slip and pay at a counter, or ask staff to help you.",
    "打印缴费单，到窗口缴费": "Print a slip, pay at a counter",
    "呼叫工作人员帮忙": "Ask staff for help",
    "返回扫码缴费": "Back to the QR code",
    "正在打印缴费单": "Printing your payment slip",
    "正在呼叫工作人员": "Calling staff",
    "已呼叫工作人员": "Staff are on their way",
    "工作人员会尽快来帮您缴费，请在此稍候。": "Someone will come to help you pay. Please wait here.",
    "正在保存申请": "Saving your application",
    "请取走缴费单、原社保卡和身份证。": "Please take your payment slip, your old card and your ID card.",
    "请取走缴费单和身份证。": "Please take your payment slip and your ID card.",
    "带上身份证和原社保卡": "bring your ID card and your old card",
    "带上身份证": "bring your ID card",
    "请到窗口缴费": "Pay at a counter",
    "一、请在{when}前，持缴费单到社保卡服务窗口缴纳补换卡费{yuan}元。\n二、缴费后，{bring}回到任一台自助机选择“补卡换卡”，"
    "无需再次缴费即可制卡；也可请窗口工作人员为您制卡。\n逾期未缴费，本次申请自动作废，不收取任何费用。":
        "1. Before {when}, take the slip to a social security card counter and pay the {yuan} yuan fee there.\n"
        "2. Then {bring} to any of these kiosks and choose “Replace or renew”: your card is made without paying "
        "again. The counter can also make it for you.\nIf you do not pay in time, this application simply ends "
        "and you owe nothing.",
    "再打印一张缴费单": "Print the slip again",
    # a new mobile number: read back, then proven by a texted code (kiosk/flows/contact.py)
    "请核对手机号码": "Check your mobile number",
    "号码有误，短信和社保卡业务通知会发给别人。核对无误后，我们将向此号码发送短信验证码。":
        "A wrong number would send your text messages and card notices to someone else. If it is right, we will "
        "text a code to this number.",
    "请核对手机号码：{digits}": "Check your mobile number: {digits}",
    "号码正确": "The number is right",
    "重新输入": "Enter it again",
    "正在发送短信验证码": "Texting you a code",
    "请输入短信验证码": "Enter the code from the text message",
    "请查看手机短信，验证码已发送至：\n{phone}": "Please check your phone. We texted a code to:\n{phone}",
    "验证码已失效": "The code no longer works",
    "重新发送验证码": "Text me a new code",
    # the citizen's time and cards (kiosk/flows/attended.py, kiosk/screens/timecards.py)
    "还需要更多时间吗？": "Do you need more time?",
    "还需要更多时间吗？请点击“继续办理”": "Do you need more time? Tap “Continue”",
    "即将返回首页": "Going back to the start",
    "{n}秒后将返回首页，您已办理的内容不会保留。": "In {n} seconds the kiosk goes back to the start, and what you have entered is cleared.",
    "继续办理": "Continue",
    "重试": "Try again",
    "代办人身份证还在读卡区": "Your own ID card is still on the reader",
    "请取回代办人身份证，再点击“重试”。": "Take your own ID card back, then tap “Try again”.",
    "取走卡后，本次办理自动结束。": "Once you take your cards, the kiosk finishes by itself.",
    "没有检测到身份证": "No ID card found",
    "请将身份证平放在读卡区，再点击“重试”。": "Lay your ID card flat on the reader, then tap “Try again”.",
    "没有检测到社保卡": "No card found",
    "请将社保卡芯片朝上插入插口，再点击“重试”。": "Insert your card chip up into the slot, then tap “Try again”.",
    "请取走您的身份证": "Please take your ID card",
    "请取走您的社保卡": "Please take your card",
    "请取走您的身份证和社保卡": "Please take your ID card and your card",
    "您的卡还在机器里，取走后本次办理结束": "Your card is still in the machine. Your visit ends when you take it.",
    "已呼叫工作人员，请稍候": "A member of staff is on the way",
    "身份证读卡区": "ID card reader",
    "社保卡插口": "Card slot",
    "身份证读卡区和社保卡插口": "ID card reader and card slot",
    "请取走新卡": "Please take your new card",
    "出卡口": "Card exit",
    "支付剩余时间：{n}秒": "Time left to pay: {n} s",
    # 人证核验 and the card photo (kiosk/flows/face_check.py, photo_step.py)
    "人脸核验": "Face check",
    "正在读取身份证照片": "Reading the photo on your ID card",
    "人脸核验未通过": "The face check did not succeed",
    "还可以再试 {n} 次。请摘下帽子和墨镜，正对摄像头。": "You can try {n} more times. Please take off hat and sunglasses and face the camera.",
    "再试一次": "Try again",
    "不办了": "Stop here",
    "拍摄制卡照片": "Your card photo",
    "照片不符合要求": "The photo cannot be used",
    "请按提示调整后重新拍照。": "Please do as it says, then take the photo again.",
    "正在生成卡面预览": "Preparing the card preview",
    # who stands at the kiosk: the card photo, the face check, liveness (kiosk/faces/)
    "没有拍到人脸，请正对摄像头": "No face in the picture: please face the camera",
    "照片中只能有一个人": "Only one person may be in the photo",
    "离摄像头太远，请靠近一点": "Too far from the camera: please come a little closer",
    "离摄像头太近，请离远一点": "Too close to the camera: please move back a little",
    "请把脸移到框的中间": "Please move your face to the middle of the frame",
    "请正对摄像头，不要侧脸或歪头": "Please face the camera, without turning or tilting your head",
    "请睁开双眼": "Please keep your eyes open",
    "照片太暗，请到光线充足处再拍": "The photo is too dark: please stand in good light and try again",
    "照片过亮，请避开强光再拍": "The photo is too bright: please avoid strong light and try again",
    "脸上光线不均匀，请避开侧面的光": "The light on your face is uneven: please avoid light from one side",
    "背景须为纯白浅色，请站到白色背景前": "The background must be plain white: please stand in front of the white backdrop",
    "照片模糊，请保持不动再拍": "The photo is blurred: please keep still and try again",
    "请正对摄像头": "Please face the camera",
    "请确保镜头前只有您一人": "Please make sure you are alone in front of the camera",
    "请靠近一点": "Please come a little closer",
    "请离远一点": "Please move back a little",
    "请把脸移到框内": "Please move your face into the frame",
    "请正视摄像头，不要侧脸或歪头": "Please look straight at the camera, without turning or tilting your head",
    "请眨眨眼": "Please blink",
    "请保持不动": "Please keep still",
    "正在核验，请稍候": "Checking, please wait",
    "核验完成": "Check finished",
    "人脸核验通过": "Your face matches your ID card",
    "没有检测到人脸，请正对摄像头后重试": "No face was seen: please face the camera and try again",
    "未能完成眨眼检测，请重试": "We could not see you blink: please try again",
    "人脸与身份证照片不一致": "Your face does not match the photo on the ID card",
    "身份证照片无法用于比对，请到服务窗口办理": "The ID card's photo cannot be used for the check: please go to the counter",
    "摄像头没有画面，请呼叫工作人员": "The camera shows no picture: please call staff",
    "人脸核验暂不可用，请到服务窗口办理": "The face check is not available: please go to the counter",
    "已取消人脸核验": "Face check cancelled",
    "已取消拍照": "Photo cancelled",
    "没有拍到合格的照片，请重试": "No usable photo was taken: please try again",
    "拍照检查暂不可用，请到服务窗口办理": "The photo check is not available: please go to the counter",
    "请保持不动，{n}秒后拍照": "Keep still: the photo is taken in {n} s",
    "拍照完成": "Photo taken",
}
