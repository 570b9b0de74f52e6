"""The words of appearance, in Chinese and English, each with what it says: colours (with the RGB the panels use),
patterns, garments, accessories, hair, sizes, builds, skin, people (gender and age group) and roles. Read by
pipeline.appearance; tables, not code, so a word is added in one place."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, get_args

RGB = tuple[int, int, int]
Gender = Literal["male", "female"]
AgeGroup = Literal["child", "teen", "adult", "elder"]
AGE_GROUPS: tuple[str, ...] = get_args(AgeGroup)
HairLength = Literal["bald", "short", "medium", "long"]
BUCKETS = ("gender", "age", "role", "build", "hair", "clothing", "accessories", "features")

COLOURS: dict[str, RGB] = {
    "black": (30, 28, 32), "white": (235, 235, 238), "silver": (196, 200, 210), "grey": (128, 128, 134),
    "light grey": (186, 186, 192), "dark grey": (72, 72, 78), "red": (205, 40, 48), "maroon": (120, 28, 44),
    "pink": (240, 150, 180), "orange": (240, 130, 40), "yellow": (235, 190, 40), "gold": (225, 180, 70),
    "blond": (225, 190, 100), "brown": (120, 72, 40), "beige": (222, 204, 170), "cream": (246, 238, 214),
    "khaki": (189, 170, 120), "tan": (200, 160, 112), "navy": (32, 40, 92), "dark blue": (36, 56, 130),
    "light blue": (140, 182, 232), "blue": (50, 90, 190), "green": (50, 150, 80), "dark green": (28, 80, 52),
    "light green": (150, 210, 140), "olive": (108, 112, 52), "teal": (40, 150, 160), "purple": (120, 70, 160),
    "multicoloured": (230, 110, 150),
}  # fmt: skip


def _table(groups: Mapping[Any, str]) -> dict[str, Any]:
    """{value: "词|word|two words"} turned round into {word: value}."""
    return {word: value for value, words in groups.items() for word in words.split("|")}


# -- the vocabulary: every word the module knows, by what it says ------------------------------------------------

COLOUR_WORDS: dict[str, str] = _table({
    "black": "黑|黑色|乌黑|漆黑|深色|black|jet-black|raven|dark", "white": "白|白色|雪白|纯白|洁白|white|snow-white",
    "silver": "银|银色|银白|silver|silvery|platinum", "grey": "灰|灰色|花白|灰白|grey|gray|greying|graying|grizzled",
    "light grey": "浅灰|light grey|light gray", "dark grey": "深灰|炭灰|dark grey|dark gray|charcoal",
    "red": "红|红色|大红|鲜红|red|scarlet|crimson|ginger", "maroon": "酒红|枣红|暗红|深红|maroon|burgundy|wine red",
    "pink": "粉|粉色|粉红|玫红|桃红|pink|hot pink|pale pink|light pink", "orange": "橙|橙色|橘|橘色|橘黄|orange",
    "yellow": "黄|黄色|鹅黄|yellow", "gold": "金|金色|金黄|gold|golden", "blond": "blond|blonde|flaxen",
    "brown": "棕|棕色|褐|褐色|咖啡色|栗色|brown|chestnut|brunette|auburn", "beige": "米色|米黄|驼色|beige|camel",
    "cream": "奶白|乳白|米白|奶油色|cream|ivory|off-white", "khaki": "卡其|卡其色|khaki", "tan": "tan",
    "navy": "藏青|藏蓝|海军蓝|navy|navy blue", "dark blue": "深蓝|靛蓝|dark blue|deep blue|indigo",
    "light blue": "浅蓝|天蓝|淡蓝|湖蓝|light blue|sky blue|pale blue|baby blue", "blue": "蓝|蓝色|blue",
    "green": "绿|绿色|green", "dark green": "墨绿|深绿|dark green|forest green", "light green": "浅绿|嫩绿|light green|mint",
    "olive": "军绿|橄榄绿|olive|olive green|army green", "teal": "青色|青绿|teal|cyan|turquoise",
    "purple": "紫|紫色|purple|violet|lavender",
    "multicoloured": "彩色|五彩|七彩|五颜六色|花花绿绿|multicoloured|multicolored|colourful|colorful|rainbow",
})  # fmt: skip
PATTERN_WORDS: dict[str, str] = _table({
    "plaid": "格子|格纹|方格|苏格兰格|plaid|tartan|checked|checkered|chequered",
    "striped": "条纹|横条|竖条|striped|stripes|stripy|pinstriped",
    "floral": "碎花|花|印花|floral|flowered|flowery", "polka dot": "波点|圆点|斑点|polka dot|polka-dotted|dotted|spotted",
})  # fmt: skip
GARMENT_WORDS: dict[str, str] = _table({
    "shirt": "衬衫|衬衣|shirt|dress shirt|button-up", "blouse": "女衬衫|blouse",
    "t-shirt": "T恤|T恤衫|体恤|短袖|t-shirt|tee|tee shirt", "sweater": "毛衣|针织衫|毛线衣|sweater|jumper|pullover",
    "cardigan": "开衫|开襟毛衣|cardigan", "hoodie": "卫衣|连帽衫|hoodie|hoody|sweatshirt",
    "suit": "西装|西服|正装|中山装|suit|business suit|tuxedo", "school uniform": "校服|school uniform",
    "uniform": "制服|工作服|警服|军装|军服|工装|uniform", "lab coat": "白大褂|lab coat",
    "coat": "外套|大衣|风衣|雨衣|棉袄|棉衣|coat|overcoat|greatcoat|raincoat|trench coat|peacoat",
    "jacket": "夹克|夹克衫|皮夹克|皮衣|羽绒服|短褂|褂子|马褂|褂|jacket|blazer|parka|windbreaker|anorak",
    "dress": "连衣裙|长裙|礼服|晚礼服|婚纱|dress|gown|sundress|frock", "skirt": "裙|裙子|短裙|半身裙|百褶裙|skirt|miniskirt",
    "trousers": "裤|裤子|长裤|西裤|休闲裤|trousers|pants|slacks|chinos", "jeans": "牛仔裤|jeans", "shorts": "短裤|shorts",
    "overalls": "背带裤|overalls|dungarees", "apron": "围裙|apron", "robe": "长袍|长衫|袍|袍子|道袍|僧袍|睡袍|浴袍|robe",
    "hanfu": "汉服|hanfu", "qipao": "旗袍|qipao|cheongsam", "kimono": "和服|kimono", "tang suit": "唐装|tang suit",
    "cloak": "斗篷|披风|cloak|cape|mantle", "vest": "背心|马甲|坎肩|vest|waistcoat|tank top",
    "tracksuit": "运动服|运动装|tracksuit|sportswear", "pajamas": "睡衣|pajamas|pyjamas", "armour": "铠甲|盔甲|armour|armor",
    "shoes": "鞋|鞋子|皮鞋|布鞋|shoes|loafers", "sneakers": "运动鞋|球鞋|帆布鞋|sneakers|trainers",
    "boots": "靴|靴子|长靴|雨靴|boots|boot", "sandals": "凉鞋|草鞋|sandals", "slippers": "拖鞋|slippers|flip-flops",
    "heels": "高跟鞋|heels|high heels", "socks": "袜|袜子|socks|stockings", "top": "上衣|top",
    "clothes": "衣服|衣|衣裳|服|服装|clothes|clothing|outfit",
})  # fmt: skip
ACCESSORY_WORDS: dict[str, str] = _table({
    "glasses": "眼镜|老花镜|近视眼镜|glasses|eyeglasses|spectacles|specs|reading glasses|bifocals|monocle",
    "sunglasses": "墨镜|太阳镜|sunglasses|shades",
    "hat": "帽|帽子|草帽|礼帽|斗笠|渔夫帽|hat|straw hat|top hat|sun hat|fedora|bowler|cowboy hat",
    "cap": "棒球帽|鸭舌帽|cap|baseball cap|peaked cap", "beanie": "毛线帽|针织帽|beanie|woolly hat|wool hat|knit cap",
    "scarf": "围巾|领巾|丝巾|scarf|neckerchief|muffler", "headscarf": "头巾|headscarf|bandana",
    "backpack": "书包|背包|双肩包|backpack|rucksack|schoolbag|school bag|knapsack",
    "bag": "包|挎包|手提包|手袋|公文包|bag|handbag|purse|satchel|shoulder bag|tote|briefcase",
    "earrings": "耳环|耳钉|耳坠|earrings|earring", "necklace": "项链|吊坠|necklace|pendant|locket",
    "watch": "手表|腕表|watch|wristwatch", "mask": "口罩|面具|面罩|mask|face mask", "headband": "发带|发箍|头箍|headband|hairband",
    "hairpin": "发夹|发卡|发簪|簪子|簪|hairpin|hair clip|hairclip|barrette", "bow": "蝴蝶结|bow|hair bow|ribbon",
    "tie": "领带|tie|necktie", "bow tie": "领结|bow tie|bowtie", "gloves": "手套|gloves|glove|mittens",
    "umbrella": "伞|雨伞|umbrella|parasol", "headphones": "耳机|headphones|earphones|headset|earbuds",
    "bracelet": "手镯|手链|bracelet|bangle", "ring": "戒指|ring", "cane": "拐杖|手杖|cane|walking stick",
    "badge": "徽章|胸牌|工牌|badge|name tag", "belt": "腰带|皮带|belt", "sword": "剑|宝剑|长剑|sword",
    "fan": "扇子|折扇|fan", "pipe": "烟斗|pipe", "lantern": "灯笼|提灯|lantern",
})  # fmt: skip
HAIR_WORDS: dict[str, tuple[str | None, str | None]] = _table({
    (None, None): "头发|发|髮|发型|hair|hairdo|haircut|hairstyle",
    ("bald", "bald"): "光头|秃头|秃顶|谢顶|秃|bald|balding|shaved head|shaven head",
    (None, "ponytail"): "马尾|马尾辫|ponytail|pony tail",
    (None, "twin tails"): "双马尾|双马尾辫|twin tails|twintails|pigtails|bunches",
    (None, "braid"): "辫|辫子|麻花辫|单辫|braid|plait", (None, "braids"): "双辫|双辫子|两条辫子|两根辫子|双麻花辫|braids|plaits",
    (None, "bun"): "丸子头|发髻|盘发|包子头|髻|bun|topknot|top knot", (None, "curly"): "卷发|卷毛|自然卷|curly|curls",
    (None, "wavy"): "波浪|波浪卷|大波浪|wavy", (None, "bob"): "波波头|bob|bob cut|bobbed", ("long", None): "披肩发",
    ("short", "buzz cut"): "寸头|平头|板寸|buzz cut|buzzcut|crew cut", (None, "straight"): "直发|straight",
    (None, "afro"): "爆炸头|afro", (None, "mohawk"): "莫西干|mohawk", (None, "dreadlocks"): "脏辫|dreadlocks|dreads",
    (None, "bangs"): "刘海|齐刘海|bangs|fringe",
})  # fmt: skip
SIZE_WORDS: dict[str, str] = _table({
    "short": "短|short|cropped", "long": "长|long|flowing|及腰",
    "medium": "中长|齐肩|shoulder-length|medium-length|mid-length",
})  # fmt: skip
FACIAL_HAIR_WORDS: dict[str, str] = _table({
    "beard": "胡子|胡须|络腮胡|大胡子|山羊胡|beard|bearded|goatee", "moustache": "八字胡|小胡子|moustache|mustache",
    "stubble": "胡茬|胡渣|stubble|stubbled|unshaven",
})  # fmt: skip
BUILD_WORDS: dict[str, tuple[str | None, str | None]] = _table({
    ("slim", None): "瘦|瘦弱|苗条|纤细|清瘦|消瘦|瘦削|slim|thin|skinny|slender|lean", ("slim", "tall"): "瘦高|高瘦|瘦长|lanky|gangly",
    ("slim", "short"): "娇小|petite",
    ("heavy", None): "胖|肥|胖乎乎|圆滚滚|微胖|肥胖|发福|fat|chubby|plump|stout|overweight|portly|rotund|heavyset|pudgy|stocky",
    ("muscular", None): "壮|壮汉|强壮|健壮|结实|肌肉|muscular|burly|brawny|athletic|buff|well-built|strong|sturdy",
    ("muscular", "tall"): "魁梧", ("average", None): "中等身材|身材匀称|匀称|average build|medium build",
    (None, "tall"): "高个|高个子|个子高|个子很高|大个子|高挑|高大|tall|towering",
    (None, "short"): "矮|矮小|矮个|矮个子|个子矮|小个子|个子小",
})  # fmt: skip
SKIN_WORDS: dict[str, str] = _table({
    "fair": "白皙|白净|皮肤白|fair|fair-skinned", "pale": "苍白|pale", "tan": "小麦色|古铜色|晒黑|tanned|suntanned",
    "dark": "黝黑|皮肤黑|黑皮肤|dark-skinned", "freckled": "雀斑|freckles|freckled",
})  # fmt: skip
# Words for a person: (gender, age group); a kinship word says both ("奶奶", "grandpa").
PERSON_WORDS: dict[str, tuple[str | None, str | None]] = _table({
    ("female", None): "女|她|妈|母|姐|妹|姑|姨|婶|嫂|妻|娘|妃|女士|小姐|太太|阿姨|姑娘|女性|女生|woman|women|lady|ladies|"
                      "mother|mom|mum|mommy|mama|sister|aunt|auntie|queen|wife|she|her|female|princess|daughter|niece|"
                      "bride|madam|mrs|ms|miss|actress|waitress|lass|heroine|老板娘|女王|宫女|尼姑|empress|nun|maid|policewoman",
    ("male", None): "男|他|爸|父|哥|弟|叔|伯|舅|丈夫|先生|男性|男生|man|men|guy|father|dad|daddy|papa|brother|uncle|king|"
                    "husband|he|his|him|male|sir|mr|son|nephew|prince|gentleman|lad|groom|国王|王子|皇帝|和尚|太监|壮汉|"
                    "emperor|monk|butler|policeman",
    ("female", "elder"): "奶奶|婆婆|外婆|姥姥|老奶奶|老太|老太太|老婆婆|老妇|老妇人|grandma|grandmother|granny|old woman|old lady",
    ("male", "elder"): "爷爷|外公|姥爷|老爷爷|老头|老汉|老爷|大爷|老翁|老先生|grandpa|grandfather|granddad|grandad|old man",
    ("male", "child"): "男孩|男孩子|小男孩|男童|boy", ("female", "child"): "女孩|女孩子|小女孩|女童|girl",
    ("female", "teen"): "少女|schoolgirl", ("male", "teen"): "schoolboy",
    (None, "child"): "小学生|小学|孩子|小孩|儿童|幼儿|宝宝|童|娃|child|children|kid|toddler|baby|infant",
    (None, "teen"): "高中生|初中生|中学生|高中|初中|中学|少年|青少年|teen|teenager|teenage|teenaged|adolescent|youth|high school",
    (None, "adult"): "大学生|青年|中年|成年|成年人|年轻人|adult|grown-up|middle-aged",
    (None, "elder"): "老人|老年|老年人|老者|老人家|年迈|年老|苍老|old|elder|elderly|aged|senior|retired",
})  # fmt: skip
# What a character does: filed as its role, never as an unknown look. Kept as the words say it.
ROLE_WORDS: tuple[str, ...] = tuple(
    "学生|老师|教师|教授|医生|大夫|护士|警察|警官|侦探|老板|老板娘|外卖员|快递员|司机|厨师|厨子|工人|农民|渔夫|渔民|商人|作家|"
    "画家|歌手|演员|记者|律师|程序员|工程师|科学家|士兵|军人|将军|皇帝|国王|女王|公主|王子|骑士|法师|魔法师|巫师|剑客|侠客|大侠|"
    "书生|小贩|摊主|店主|店员|掌柜|服务员|保安|经理|总裁|秘书|校长|班长|队长|船长|家长|同学|邻居|村民|水手|猎人|和尚|道士|尼姑|"
    "看守|守卫|侍卫|宫女|太监|上班族|白领|职员|保姆|管家|路人|运动员|铁匠|木匠|裁缝|师父|师傅|徒弟|弟子|掌门|手艺人|灯塔看守人|"
    "student|teacher|professor|doctor|nurse|police|policeman|policewoman|officer|cop|detective|inspector|boss|owner|"
    "courier|delivery rider|driver|chef|cook|worker|farmer|fisherman|fisher|merchant|trader|writer|author|painter|"
    "artist|singer|musician|actor|reporter|journalist|lawyer|programmer|engineer|scientist|soldier|captain|sailor|"
    "pilot|knight|wizard|witch|keeper|lighthouse keeper|guard|bodyguard|vendor|shopkeeper|clerk|waiter|manager|"
    "secretary|principal|neighbour|neighbor|villager|hunter|monk|priest|nun|veteran|agent|spy|thief|hero|assistant|"
    "intern|mechanic|janitor|baker|butcher|carpenter|tailor|blacksmith|emperor|empress|servant|maid|butler".split("|")
)
# Names say a gender by their characters too (小芳, 丽丽): read only in names, where a word list would miss them.
FEMALE_NAME = re.compile(r"[芳丽娟秀霞萍梅兰凤娜婷玲燕莉妮媛婉娇嫣薇琳倩]")
GENDER_VALUES: dict[str, Gender] = {
    "男": "male", "male": "male", "m": "male", "man": "male", "boy": "male", "男性": "male", "他": "male",
    "女": "female", "female": "female", "f": "female", "woman": "female", "girl": "female", "女性": "female",
    "她": "female",
}  # fmt: skip
# A word before a look that is not part of its name ("a grey coat" -> "grey coat", "戴眼镜" -> "眼镜").
CONNECTORS = re.compile(
    r"^(?:'s\b|[\s,.'’:;!?的和与及、]|戴着|穿着|背着|围着|拿着|扎着|梳着|留着|戴|穿|拿|"
    r"(?:a|an|the|in|with|and|of|wearing|wears|carrying|carries|has|had)\b)+",
    re.IGNORECASE,
)
