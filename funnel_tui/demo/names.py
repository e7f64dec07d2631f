"""Words the demo data is made of: people's names, company names, job titles and notes,
per region and in each region's own script.

Lists are written as space-separated tokens, `native:roman`; `_` stands for a space inside
a token. The romanised form builds email addresses and web domains (nobody types 陳怡君
into an address); Latin-script tokens may leave it out and get it derived, diacritics
folded. A surname token `Kowalski/Kowalska` gives the male and the female form.

Nothing here may contain `"` or `\\`: the demo writes history snapshots as JSON by plain
string joining, which is only valid JSON because of that (a test checks it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from funnel_tui.core import vocab

# ------------------------------------------------------------------- people by culture

_PEOPLE: dict[str, dict[str, str]] = {
    "zh_TW": {
        "style": "cjk",
        "family": (
            "陳:chen 林:lin 黃:huang 張:chang 李:li 王:wang 吳:wu 劉:liu 蔡:tsai 楊:yang "
            "許:hsu 鄭:cheng 謝:hsieh 郭:kuo 洪:hung 曾:tseng 邱:chiu 廖:liao 賴:lai 周:chou "
            "徐:hsu 蘇:su 葉:yeh 莊:chuang 呂:lu 江:chiang 何:ho 蕭:hsiao 羅:lo 高:kao 簡:chien "
            "鍾:chung 游:yu 詹:chan 彭:peng 潘:pan 范:fan 傅:fu 盧:lu 魏:wei"
        ),
        "female": (
            "怡君:yichun 雅婷:yating 淑芬:shufen 佳穎:chiaying 欣怡:hsinyi 詩涵:shihhan "
            "宜蓁:yichen 靜怡:chingyi 美玲:meiling 雅雯:yawen 郁婷:yuting 思妤:szuyu "
            "佩珊:peishan 惠雯:huiwen 家瑜:chiayu 筱涵:hsiaohan 品妤:pinyu 婉婷:wanting "
            "玉珍:yuchen 秀蘭:hsiulan"
        ),
        "male": (
            "家豪:chiahao 志明:chihming 俊傑:chunchieh 建宏:chienhung 冠宇:kuanyu "
            "承翰:chenghan 宗翰:tsunghan 柏翰:pohan 俊宏:chunhung 志偉:chihwei 明哲:mingche "
            "彥廷:yenting 信宏:hsinhung 偉倫:weilun 文彬:wenpin 振宇:chenyu 國華:kuohua "
            "育誠:yucheng 昱廷:yuting 子軒:tzuhsuan"
        ),
    },
    "zh_CN": {
        "style": "cjk",
        "family": (
            "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 赵:zhao 黄:huang 周:zhou 吴:wu "
            "徐:xu 孙:sun 胡:hu 朱:zhu 高:gao 林:lin 何:he 郭:guo 马:ma 罗:luo 梁:liang "
            "宋:song 郑:zheng 谢:xie 韩:han 唐:tang 冯:feng 于:yu 董:dong 萧:xiao 程:cheng "
            "曹:cao 袁:yuan 邓:deng 许:xu 傅:fu 沈:shen 曾:zeng 彭:peng 吕:lyu"
        ),
        "female": (
            "秀英:xiuying 丽娟:lijuan 静:jing 敏:min 婷婷:tingting 雪梅:xuemei 晓燕:xiaoyan "
            "欣怡:xinyi 佳怡:jiayi 雨涵:yuhan 梓涵:zihan 诗琪:shiqi 海燕:haiyan 艳:yan "
            "芳:fang 丽华:lihua 慧敏:huimin 思雨:siyu 可馨:kexin 桂英:guiying"
        ),
        "male": (
            "伟:wei 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 杰:jie 涛:tao 明:ming 超:chao "
            "浩然:haoran 子轩:zixuan 宇航:yuhang 俊杰:junjie 志强:zhiqiang 建国:jianguo "
            "建华:jianhua 文博:wenbo 鹏飞:pengfei 国栋:guodong"
        ),
    },
    "ja": {
        "style": "ja",
        "family": (
            "佐藤:sato 鈴木:suzuki 高橋:takahashi 田中:tanaka 伊藤:ito 渡辺:watanabe "
            "山本:yamamoto 中村:nakamura 小林:kobayashi 加藤:kato 吉田:yoshida 山田:yamada "
            "佐々木:sasaki 山口:yamaguchi 松本:matsumoto 井上:inoue 木村:kimura 林:hayashi "
            "斎藤:saito 清水:shimizu 山崎:yamazaki 森:mori 池田:ikeda 橋本:hashimoto "
            "阿部:abe 石川:ishikawa 前田:maeda 藤田:fujita 小川:ogawa 岡田:okada"
        ),
        "female": (
            "陽子:yoko 恵子:keiko 美咲:misaki さくら:sakura 結衣:yui 真由美:mayumi 優子:yuko "
            "愛:ai 直美:naomi 由美:yumi 彩:aya 千尋:chihiro 陽菜:hina 明美:akemi 久美子:kumiko"
        ),
        "male": (
            "翔太:shota 大輔:daisuke 健太:kenta 拓也:takuya 直樹:naoki 浩二:koji 誠:makoto "
            "隆:takashi 健一:kenichi 悠斗:yuto 蓮:ren 和也:kazuya 太郎:taro 博之:hiroyuki "
            "修:osamu"
        ),
    },
    "ko": {
        "style": "cjk",
        "family": (
            "김:kim 이:lee 박:park 최:choi 정:jung 강:kang 조:cho 윤:yoon 장:jang 임:lim "
            "한:han 오:oh 서:seo 신:shin 권:kwon 황:hwang 안:ahn 송:song 류:ryu 홍:hong"
        ),
        "female": (
            "지은:jieun 수진:sujin 민지:minji 서연:seoyeon 지민:jimin 하은:haeun 유진:yujin "
            "예진:yejin 은지:eunji 혜진:hyejin 소연:soyeon 지현:jihyun"
        ),
        "male": (
            "민준:minjun 서준:seojun 도윤:doyun 지훈:jihoon 현우:hyunwoo 준호:junho "
            "성민:sungmin 동현:donghyun 재원:jaewon 상훈:sanghoon 영호:youngho 태현:taehyun"
        ),
    },
    "de": {
        "style": "western",
        "family": (
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
            "Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun "
            "Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Köhler Weiß "
            "Groß Jäger Möller Günther Huber Brandt Vogel Kühn Pohl Engel Horn Fuchs Baumann"
        ),
        "female": (
            "Anna Lena Julia Laura Sarah Katharina Sabine Claudia Petra Jana Lea Marie Sophie "
            "Franziska Birgit Ursula Jutta Anja Hannah Mareike Lisa Christiane Heike"
        ),
        "male": (
            "Thomas Michael Andreas Stefan Markus Jürgen Jörg Lukas Felix Maximilian Tobias "
            "Sebastian Florian Matthias Björn Uwe Frank Dieter Klaus Henrik Jens Moritz Ralf"
        ),
    },
    "pl": {
        "style": "western",
        "family": (
            "Nowak Kowalski/Kowalska Wiśniewski/Wiśniewska Wójcik Kowalczyk "
            "Kamiński/Kamińska Lewandowski/Lewandowska Zieliński/Zielińska "
            "Szymański/Szymańska Woźniak Dąbrowski/Dąbrowska Kozłowski/Kozłowska "
            "Jankowski/Jankowska Mazur Kwiatkowski/Kwiatkowska Krawczyk "
            "Piotrowski/Piotrowska Grabowski/Grabowska Nowakowski/Nowakowska "
            "Pawłowski/Pawłowska Michalski/Michalska Król Wieczorek Jabłoński/Jabłońska "
            "Wróbel Majewski/Majewska Olszewski/Olszewska Stępień Jaworski/Jaworska "
            "Malinowski/Malinowska Górski/Górska Rutkowski/Rutkowska Sikora Baran Duda "
            "Szewczyk Tomaszewski/Tomaszewska Pietrzak Marciniak Wróblewski/Wróblewska "
            "Zając Błaszczyk Żak Łuczak Sobczak Czarnecki/Czarnecka Kaczmarek Głowacki/Głowacka"
        ),
        "female": (
            "Anna Katarzyna Małgorzata Agnieszka Magdalena Joanna Aleksandra Monika Ewa "
            "Barbara Zofia Zuzanna Natalia Wiktoria Urszula Elżbieta Jadwiga Dorota Beata "
            "Iwona Grażyna Bożena"
        ),
        "male": (
            "Piotr Krzysztof Tomasz Paweł Michał Marcin Łukasz Grzegorz Mateusz Wojciech "
            "Jakub Mariusz Dariusz Rafał Szymon Kamil Przemysław Bartłomiej Zbigniew Jerzy "
            "Maciej Adam"
        ),
    },
    "es_MX": {
        "style": "hispanic",
        "family": (
            "Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz "
            "Flores Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza "
            "Aguilar Ortiz Castillo Moreno Romero Álvarez Chávez Rivera Juárez Domínguez "
            "Muñoz Ibáñez Núñez Peña Estrada Guzmán Salazar Cortés Velázquez"
        ),
        "female": (
            "María Guadalupe Fernanda Sofía Valeria Ximena Ana Daniela Mariana Alejandra "
            "Lucía Regina Paola Andrea Verónica Mónica María_José María_Fernanda Itzel "
            "Citlali Renata Patricia"
        ),
        "male": (
            "José Juan Luis Carlos Jorge Miguel_Ángel Alejandro Francisco Ricardo Fernando "
            "Diego Andrés Héctor Raúl Sebastián Emiliano Santiago Óscar Jesús Arturo "
            "José_Luis Rodrigo"
        ),
    },
    "es_ES": {
        "style": "hispanic",
        "family": (
            "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín "
            "Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez "
            "Navarro Torres Domínguez Vázquez Ramos Gil Ramírez Serrano Blanco Molina "
            "Ortega Delgado Castro Ortiz Rubio Marín Sanz Núñez Iglesias Medina Garrido"
        ),
        "female": (
            "Lucía Carmen Paula Marta Laura Elena Cristina Nuria Raquel Begoña Montserrat "
            "Pilar Ainhoa Rocío Inmaculada Alba Irene Noelia"
        ),
        "male": (
            "Javier Jordi Pablo Álvaro Sergio Iñaki Manuel Antonio David Rubén Joaquín "
            "Íñigo Xavier Alberto Raúl Ignacio Gonzalo Adrián"
        ),
    },
    "pt_BR": {
        "style": "western",
        "family": (
            "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa "
            "Ribeiro Martins Carvalho Almeida Lopes Araújo Fernandes Barbosa Gonçalves "
            "Magalhães Conceição Rocha Dias Nascimento Andrade Moreira Nunes Marques Machado "
            "Mendes Freitas Cardoso Teixeira Correia Cavalcanti Monteiro Moura Assunção Brandão"
        ),
        "female": (
            "Ana Maria Juliana Fernanda Camila Beatriz Larissa Letícia Gabriela Patrícia "
            "Luíza Conceição Ana_Clara Vitória Aline Bruna Tatiana Débora"
        ),
        "male": (
            "João José Pedro Lucas Gabriel Rafael Thiago Felipe Gustavo André Vinícius "
            "Matheus Antônio Sérgio João_Pedro Caio Márcio Rodrigo Leandro Fábio"
        ),
    },
    "fr": {
        "style": "western",
        "family": (
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
            "Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard "
            "André Lefebvre Mercier Dupont Lambert Bonnet François Martinez Chevalier "
            "Gauthier Perrin Faure Rousseau Blanc Guérin Muller Henry Boucher Lemaître"
        ),
        "female": (
            "Camille Léa Chloé Manon Inès Émilie Hélène Céline Nathalie Isabelle Sandrine "
            "Margaux Aurélie Anaïs Sophie Élodie Mathilde Cécile"
        ),
        "male": (
            "Jean Pierre Nicolas Julien Sébastien François Mathieu Antoine Jérôme Stéphane "
            "Benoît Théo Hugo Loïc Gaël Jean-Luc Olivier Guillaume"
        ),
    },
    "en_GB": {
        "style": "western",
        "family": (
            "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
            "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Wood Harris "
            "Lewis Martin Jackson Clarke O'Brien MacDonald Campbell Murphy Patel Khan "
            "Ahmed Begum Turner Cooper Hill Ward Morgan Fletcher"
        ),
        "female": (
            "Olivia Amelia Emily Charlotte Sophie Jessica Hannah Eleanor Harriet Siobhan "
            "Niamh Catherine Priya Lucy Grace Fiona Rebecca Zara"
        ),
        "male": (
            "Oliver George Harry Jack James William Thomas Daniel Callum Rhys Owen Alistair "
            "Hamish Euan Aiden Rajesh Connor Edward"
        ),
    },
    "en_US": {
        "style": "western",
        "family": (
            "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
            "Hernandez Lopez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson "
            "White Harris Clark Lewis Robinson Walker Young Allen King Nguyen Patel Kim Cohen "
            "O'Connor Sullivan Kowalski Washington Rivera Brooks"
        ),
        "female": (
            "Emily Jessica Ashley Sarah Jennifer Amanda Megan Lauren Rachel Samantha "
            "Brittany Madison Taylor Kayla Nicole Stephanie Aaliyah Mia Olivia Grace"
        ),
        "male": (
            "Michael Christopher Matthew Joshua David Daniel James Robert John Joseph Andrew "
            "Ryan Brandon Tyler Kevin Jason Justin DeShawn Ethan Noah"
        ),
    },
    "it": {
        "style": "western",
        "family": (
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno "
            "Gallo Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri "
            "Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone"
        ),
        "female": (
            "Giulia Francesca Chiara Sara Martina Alessia Valentina Elisa Federica Silvia "
            "Beatrice Ilaria"
        ),
        "male": (
            "Marco Alessandro Luca Andrea Matteo Giuseppe Francesco Davide Niccolò Lorenzo "
            "Gianluca Stefano"
        ),
    },
    "nl": {
        "style": "western",
        "family": (
            "de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Visser Smit Meijer "
            "de_Boer Mulder de_Groot Bos Vos Peters Hendriks van_Leeuwen Dekker"
        ),
        "female": "Emma Sanne Lotte Fleur Anouk Femke Marieke Ilse Noor Eline",
        "male": "Daan Sem Bram Joost Pieter Ruben Thijs Jeroen Maarten Sven",
    },
}

# ----------------------------------------------------------------- job titles by language

_TITLES: dict[str, str] = {
    "zh_TW": (
        "採購經理 總經理 資訊部經理 業務副總 財務長 營運經理 專案經理 技術長 行銷經理 "
        "工程師 廠長 董事長特助"
    ),
    "zh_CN": (
        "采购经理 总经理 信息部经理 销售副总裁 财务总监 运营经理 项目经理 首席技术官 "
        "市场经理 工程师 厂长 总裁助理"
    ),
    "ja": "購買部長 代表取締役 情報システム部長 営業部長 経理課長 課長 主任 技術部長 総務部長",
    "ko": "구매팀장 대표이사 IT팀장 영업이사 재무팀장 과장 부장 차장 기술연구소장",
    "de": (
        "Leitung_Einkauf Geschäftsführung Leitung_IT Vertriebsleitung Prokurist "
        "Projektleitung Technischer_Einkauf Werksleitung Leitung_Logistik Inhaber"
    ),
    "pl": (
        "Kierownik_zakupów Prezes_zarządu Dyrektor_IT Dyrektor_sprzedaży "
        "Specjalista_ds._logistyki Kierownik_projektu Właściciel Główny_księgowy"
    ),
    "es_MX": (
        "Gerente_de_Compras Director_General Gerente_de_TI Director_Comercial "
        "Jefe_de_Logística Coordinadora_de_Proyectos Dueño Contralor"
    ),
    "es_ES": (
        "Responsable_de_Compras Director_General Responsable_de_Sistemas Directora_Comercial "
        "Jefe_de_Logística Gerente Administrador_único"
    ),
    "pt_BR": (
        "Gerente_de_Compras Diretor-Geral Gerente_de_TI Diretora_Comercial "
        "Coordenador_de_Logística Sócio Analista_de_Suprimentos"
    ),
    "fr": (
        "Responsable_achats Directeur_général DSI Directrice_commerciale Chef_de_projet "
        "Responsable_logistique Gérant Acheteuse"
    ),
    "it": (
        "Responsabile_acquisti Amministratore_delegato Direttore_IT Direttore_commerciale "
        "Project_manager Titolare"
    ),
    "nl": "Inkoopmanager Directeur IT-manager Commercieel_directeur Projectleider Eigenaar",
    "en": (
        "Head_of_Procurement CEO IT_Director VP_Sales CFO Operations_Manager Project_Manager "
        "Office_Manager Founder Purchasing_Manager Plant_Manager CTO"
    ),
}

# --------------------------------------------------------- companies by language/region

# Industries the default ICP lists, and some it does not, so ICP answers go both ways.
SOFTWARE, MANUFACTURING, LOGISTICS, RETAIL = "Software", "Manufacturing", "Logistics", "Retail"
FINANCE, HEALTHCARE = "Finance", "Healthcare"
CONSTRUCTION, FOOD, ENERGY, CONSULTING = "Construction", "Food & Beverage", "Energy", "Consulting"

# (pattern for the native name, pattern for the domain, industry); {} is the stem.
_COMPANY_PATTERNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "zh_TW": (
        ("{}科技股份有限公司", "{}-tech", SOFTWARE),
        ("{}資訊股份有限公司", "{}-info", SOFTWARE),
        ("{}精密工業股份有限公司", "{}-precision", MANUFACTURING),
        ("{}電子股份有限公司", "{}-elec", MANUFACTURING),
        ("{}物流股份有限公司", "{}-logistics", LOGISTICS),
        ("{}百貨股份有限公司", "{}-mall", RETAIL),
        ("{}生技醫療股份有限公司", "{}-biomed", HEALTHCARE),
        ("{}投資股份有限公司", "{}-invest", FINANCE),
        ("{}營造有限公司", "{}-build", CONSTRUCTION),
        ("{}食品股份有限公司", "{}-foods", FOOD),
        ("{}能源科技股份有限公司", "{}-energy", ENERGY),
    ),
    "zh_CN": (
        ("{}科技有限公司", "{}tech", SOFTWARE),
        ("{}软件有限公司", "{}soft", SOFTWARE),
        ("{}精密机械有限公司", "{}-jm", MANUFACTURING),
        ("{}电子有限公司", "{}-elec", MANUFACTURING),
        ("{}物流有限公司", "{}-wuliu", LOGISTICS),
        ("{}商贸有限公司", "{}-trade", RETAIL),
        ("{}医疗器械有限公司", "{}-med", HEALTHCARE),
        ("{}投资管理有限公司", "{}-invest", FINANCE),
        ("{}建设工程有限公司", "{}-jianshe", CONSTRUCTION),
        ("{}食品有限公司", "{}-food", FOOD),
        ("{}新能源有限公司", "{}-energy", ENERGY),
    ),
    "ja": (
        ("株式会社{}システム", "{}-system", SOFTWARE),
        ("{}ソフト株式会社", "{}-soft", SOFTWARE),
        ("{}工業株式会社", "{}-kogyo", MANUFACTURING),
        ("{}精機株式会社", "{}-seiki", MANUFACTURING),
        ("{}運輸株式会社", "{}-unyu", LOGISTICS),
        ("株式会社{}ストア", "{}-store", RETAIL),
        ("{}メディカル株式会社", "{}-medical", HEALTHCARE),
        ("{}証券株式会社", "{}-sec", FINANCE),
        ("{}建設株式会社", "{}-kensetsu", CONSTRUCTION),
        ("{}食品株式会社", "{}-foods", FOOD),
    ),
    "ko": (
        ("(주){}소프트", "{}soft", SOFTWARE),
        ("{}시스템즈 주식회사", "{}systems", SOFTWARE),
        ("{}정밀 주식회사", "{}-precision", MANUFACTURING),
        ("{}산업 주식회사", "{}-ind", MANUFACTURING),
        ("(주){}물류", "{}logis", LOGISTICS),
        ("(주){}유통", "{}retail", RETAIL),
        ("{}메디칼 주식회사", "{}medical", HEALTHCARE),
        ("{}캐피탈 주식회사", "{}capital", FINANCE),
        ("{}건설 주식회사", "{}-enc", CONSTRUCTION),
        ("(주){}식품", "{}food", FOOD),
    ),
    "de": (
        ("{} Software GmbH", "{}-software", SOFTWARE),
        ("{} IT-Systeme GmbH", "{}-it", SOFTWARE),
        ("{} Maschinenbau GmbH", "{}-maschinenbau", MANUFACTURING),
        ("{} Präzisionstechnik GmbH & Co. KG", "{}-praezision", MANUFACTURING),
        ("{} Logistik GmbH", "{}-logistik", LOGISTICS),
        ("{} Handelsgesellschaft mbH", "{}-handel", RETAIL),
        ("{} Medizintechnik AG", "{}-medizintechnik", HEALTHCARE),
        ("{} Vermögensberatung GmbH", "{}-finanz", FINANCE),
        ("{} Bau GmbH", "{}-bau", CONSTRUCTION),
        ("{} Feinkost GmbH", "{}-feinkost", FOOD),
        ("{} Energie AG", "{}-energie", ENERGY),
        ("{} Unternehmensberatung", "{}-beratung", CONSULTING),
    ),
    "pl": (
        ("{} Software Sp. z o.o.", "{}-software", SOFTWARE),
        ("{} Systemy Informatyczne Sp. z o.o.", "{}-it", SOFTWARE),
        ("Zakłady Mechaniczne {} S.A.", "zm-{}", MANUFACTURING),
        ("{} Produkcja Sp. z o.o.", "{}-produkcja", MANUFACTURING),
        ("{} Logistyka Sp. z o.o.", "{}-logistyka", LOGISTICS),
        ("{} Handel Sp. j.", "{}-handel", RETAIL),
        ("Centrum Medyczne {}", "cm-{}", HEALTHCARE),
        ("{} Finanse S.A.", "{}-finanse", FINANCE),
        ("{} Budownictwo Sp. z o.o.", "{}-budownictwo", CONSTRUCTION),
        ("Zakłady Mięsne {}", "zm-{}-mieso", FOOD),
        ("{} Doradztwo", "{}-doradztwo", CONSULTING),
    ),
    "es_MX": (
        ("{} Soluciones Digitales S.A. de C.V.", "{}-digital", SOFTWARE),
        ("Manufacturas {} S.A. de C.V.", "manufacturas-{}", MANUFACTURING),
        ("Industrias {} S.A. de C.V.", "industrias-{}", MANUFACTURING),
        ("Transportes {} S.A. de C.V.", "transportes-{}", LOGISTICS),
        ("Comercializadora {} S.A. de C.V.", "comercializadora-{}", RETAIL),
        ("Clínica {}", "clinica-{}", HEALTHCARE),
        ("Grupo Financiero {}", "gf-{}", FINANCE),
        ("Constructora {} S.A. de C.V.", "constructora-{}", CONSTRUCTION),
        ("Alimentos {} S.A. de C.V.", "alimentos-{}", FOOD),
        ("Energía {}", "energia-{}", ENERGY),
    ),
    "es_ES": (
        ("{} Informática S.L.", "{}-informatica", SOFTWARE),
        ("Talleres {} S.A.", "talleres-{}", MANUFACTURING),
        ("Transportes {} S.L.", "transportes-{}", LOGISTICS),
        ("Distribuciones {} S.L.", "distribuciones-{}", RETAIL),
        ("Clínica {}", "clinica-{}", HEALTHCARE),
        ("{} Asesores Financieros", "{}-asesores", FINANCE),
        ("Construcciones {} S.L.", "construcciones-{}", CONSTRUCTION),
        ("Bodegas {}", "bodegas-{}", FOOD),
        ("{} Consultores", "{}-consultores", CONSULTING),
    ),
    "pt_BR": (
        ("{} Tecnologia Ltda.", "{}-tecnologia", SOFTWARE),
        ("Indústria Metalúrgica {} Ltda.", "metalurgica-{}", MANUFACTURING),
        ("Transportadora {} Ltda.", "transportadora-{}", LOGISTICS),
        ("Comércio {} Ltda.", "comercio-{}", RETAIL),
        ("Clínica {}", "clinica-{}", HEALTHCARE),
        ("{} Investimentos S.A.", "{}-investimentos", FINANCE),
        ("Construtora {}", "construtora-{}", CONSTRUCTION),
        ("Alimentos {} Ltda.", "alimentos-{}", FOOD),
        ("{} Energia S.A.", "{}-energia", ENERGY),
    ),
    "fr": (
        ("{} Informatique SAS", "{}-informatique", SOFTWARE),
        ("Ateliers {} SA", "ateliers-{}", MANUFACTURING),
        ("Transports {} SARL", "transports-{}", LOGISTICS),
        ("Distribution {} SAS", "distribution-{}", RETAIL),
        ("Clinique {}", "clinique-{}", HEALTHCARE),
        ("{} Finance SA", "{}-finance", FINANCE),
        ("{} Bâtiment SARL", "{}-batiment", CONSTRUCTION),
        ("Fromagerie {}", "fromagerie-{}", FOOD),
        ("{} Énergies SAS", "{}-energies", ENERGY),
        ("{} Conseil", "{}-conseil", CONSULTING),
    ),
    "it": (
        ("{} Software S.r.l.", "{}-software", SOFTWARE),
        ("Officine {} S.p.A.", "officine-{}", MANUFACTURING),
        ("{} Logistica S.r.l.", "{}-logistica", LOGISTICS),
        ("{} Distribuzione S.r.l.", "{}-distribuzione", RETAIL),
        ("Clinica {}", "clinica-{}", HEALTHCARE),
        ("{} Costruzioni S.r.l.", "{}-costruzioni", CONSTRUCTION),
        ("Pastificio {}", "pastificio-{}", FOOD),
    ),
    "nl": (
        ("{} Software B.V.", "{}-software", SOFTWARE),
        ("{} Techniek B.V.", "{}-techniek", MANUFACTURING),
        ("{} Logistiek B.V.", "{}-logistiek", LOGISTICS),
        ("{} Retail B.V.", "{}-retail", RETAIL),
        ("{} Zorg", "{}-zorg", HEALTHCARE),
        ("Bouwbedrijf {}", "bouwbedrijf-{}", CONSTRUCTION),
        ("{} Food B.V.", "{}-food", FOOD),
    ),
    "en_GB": (
        ("{} Software Ltd", "{}-software", SOFTWARE),
        ("{} Engineering Ltd", "{}-engineering", MANUFACTURING),
        ("{} Freight Ltd", "{}-freight", LOGISTICS),
        ("{} Retail Group plc", "{}-retail", RETAIL),
        ("{} Healthcare Ltd", "{}-healthcare", HEALTHCARE),
        ("{} Capital LLP", "{}-capital", FINANCE),
        ("{} Construction Ltd", "{}-construction", CONSTRUCTION),
        ("{} Foods Ltd", "{}-foods", FOOD),
        ("{} Consulting", "{}-consulting", CONSULTING),
    ),
    "en_US": (
        ("{} Software Inc.", "{}software", SOFTWARE),
        ("{} Technologies LLC", "{}tech", SOFTWARE),
        ("{} Manufacturing Co.", "{}mfg", MANUFACTURING),
        ("{} Logistics LLC", "{}logistics", LOGISTICS),
        ("{} Retail Group", "{}retail", RETAIL),
        ("{} Health Partners", "{}health", HEALTHCARE),
        ("{} Capital LLC", "{}capital", FINANCE),
        ("{} Builders Inc.", "{}builders", CONSTRUCTION),
        ("{} Foods Inc.", "{}foods", FOOD),
        ("{} Energy Corp.", "{}energy", ENERGY),
    ),
}

# Stems for Chinese company names are two characters, one from each list (宏 + 豐 = 宏豐).
_CJK_STEM_PARTS: dict[str, tuple[str, str]] = {
    "zh_TW": (
        "宏:hong 永:yung 華:hua 新:hsin 大:ta 泰:tai 聯:lien 全:chuan 信:shin 達:da 冠:kuan "
        "長:chang 建:chien 欣:hsin 祥:hsiang 凱:kai 晶:ching 群:chun 鼎:ting 億:yi",
        "豐:feng 盛:sheng 昌:chang 興:hsing 益:yi 隆:lung 茂:mao 源:yuan 揚:yang 順:shun "
        "發:fa 誠:cheng 亞:ya 宇:yu 安:an 鑫:hsin 邦:pang 創:chuang",
    ),
    "zh_CN": (
        "宏:hong 永:yong 华:hua 新:xin 大:da 泰:tai 联:lian 全:quan 信:xin 达:da 冠:guan "
        "长:chang 建:jian 欣:xin 祥:xiang 凯:kai 晶:jing 群:qun 鼎:ding 亿:yi",
        "丰:feng 盛:sheng 昌:chang 兴:xing 益:yi 隆:long 茂:mao 源:yuan 扬:yang 顺:shun "
        "发:fa 诚:cheng 亚:ya 宇:yu 安:an 鑫:xin 邦:bang 创:chuang",
    ),
}

# Chinese company names usually open with the registering city (深圳市…); Japanese and
# Korean ones often carry a place name too.
_CITY_PREFIXES = {
    "zh_CN": (
        "深圳市:shenzhen 上海:shanghai 北京:beijing 广州市:guangzhou 杭州:hangzhou "
        "苏州:suzhou 成都:chengdu 宁波:ningbo 东莞市:dongguan 天津:tianjin 武汉:wuhan "
        "厦门:xiamen"
    ),
    "ja": (
        "東京:tokyo 大阪:osaka 名古屋:nagoya 横浜:yokohama 福岡:fukuoka 札幌:sapporo "
        "神戸:kobe 京都:kyoto 広島:hiroshima 仙台:sendai"
    ),
    "ko": "서울:seoul 부산:busan 대구:daegu 인천:incheon 광주:gwangju 대전:daejeon 울산:ulsan",
}

_KO_STEMS = (
    "한빛:hanbit 새롬:saerom 누리:nuri 미래:mirae 태양:taeyang 푸른:pureun 동방:dongbang "
    "청솔:cheongsol 다온:daon 가람:garam 한결:hangyeol 으뜸:eutteum 세움:seum 온누리:onnuri "
    "대원:daewon 성진:sungjin 우성:woosung 일신:ilshin 삼정:samjung 한울:hanul 새빛:saebit "
    "해든:haedeun 아름:areum 늘품:neulpum"
)

_JA_STEMS = (
    "大和:yamato 北斗:hokuto 青葉:aoba 若葉:wakaba 朝日:asahi 富士:fuji 東洋:toyo 中央:chuo "
    "日の出:hinode 三光:sanko 新星:shinsei 昭栄:shoei 平和:heiwa 光:hikari 扇:ogi "
    "松風:matsukaze 白鷺:shirasagi 若松:wakamatsu 高砂:takasago 天竜:tenryu 瑞穂:mizuho "
    "桜井:sakurai 明星:myojo 千代田:chiyoda 北陸:hokuriku 東海:tokai 常盤:tokiwa 飛鳥:asuka"
)

# Latin-script stems besides the surnames: places and words companies are named after.
_PLACE_STEMS: dict[str, str] = {
    "de": (
        "Rheintal Elbtal Nordstern Alpenblick Isartal Schwarzwald Weserland Bodensee Harz "
        "Spreewald Taunus Eifel Mosel Allgäu Lindenhof Sonnenfeld Ostsee Hanse"
    ),
    "pl": (
        "Wisła Mazowsze Bałtyk Tatry Pomorze Warmia Podhale Kaszuby Śląsk Orzeł Sokół "
        "Jantar Polanka Zdrój Podlasie Beskid"
    ),
    "es_MX": (
        "Sierra_Madre Del_Valle Pacífico Bajío Los_Altos Anáhuac Cuauhtémoc Tulum Huasteca "
        "Chapultepec Sonora Mixteca Laguna Nogal"
    ),
    "es_ES": "Levante Cantábrico Ebro Meseta Alhambra Guadalquivir Montseny Galaica Íbera Tajo",
    "pt_BR": (
        "Ipanema Paulista Serra_Azul Vale_Verde Cerrado Pantanal Iguaçu Guanabara Itaúna "
        "Araguaia Maracanã Tropical"
    ),
    "fr": (
        "Provence Bretagne Beauséjour Mont-Blanc Vallée Belle-Île Val-de-Loire Garonne "
        "Armor Vosges Lumière Étoile"
    ),
    "it": "Adriatica Dolomiti Tirrenica Vesuvio Toscana Brenta Etna Lario Aurora Stella",
    "nl": "Noordzee Zuiderzee Polder Vecht Maas Amstel Waddenzee Veluwe Tulp Molen",
    "en_GB": (
        "Pennine Cotswold Highland Kingsbridge Ashford Thamesgate Mersey Clyde Avon Sterling "
        "Windsor Albion"
    ),
    "en_US": (
        "Summit Harbor Pinecrest Redwood Bluewater Granite Northfield Silverline Ironbridge "
        "Lakeside Westbrook Evergreen Liberty Keystone Pioneer Cascade"
    ),
}

# -------------------------------------------------------------------------- regions

# Free mail providers people really use there; a lead without a company writes from one.
_FREE_MAIL: dict[str, str] = {
    "TW": "gmail.com yahoo.com.tw hotmail.com msa.hinet.net",
    "CN": "163.com 126.com qq.com sina.com",
    "DE": "web.de gmx.de t-online.de gmail.com",
    "AT": "gmx.at aon.at gmail.com",
    "CH": "bluewin.ch gmx.ch gmail.com",
    "PL": "wp.pl onet.pl o2.pl interia.pl gmail.com",
    "MX": "gmail.com hotmail.com outlook.com yahoo.com.mx",
    "ES": "gmail.com hotmail.es telefonica.net",
    "US": "gmail.com yahoo.com outlook.com icloud.com aol.com",
    "GB": "gmail.com btinternet.com outlook.com yahoo.co.uk",
    "JP": "yahoo.co.jp gmail.com docomo.ne.jp",
    "KR": "naver.com daum.net gmail.com",
    "FR": "orange.fr free.fr gmail.com laposte.net",
    "BR": "gmail.com uol.com.br bol.com.br hotmail.com",
    "IT": "libero.it gmail.com virgilio.it",
    "NL": "ziggo.nl kpnmail.nl gmail.com",
}


@dataclass(frozen=True)
class RegionSpec:
    """Where demo leads come from, and what their names, numbers and deals look like."""

    code: str
    weight: int  # share of the demo's leads
    culture: str  # key of the people, company and title lists
    titles: str  # key of the job titles
    tld: str
    currency: str
    utc_offset: int  # hours; puts activities into local business hours
    # Mobile numbers are a prefix followed by `free_digits` digits of any value;
    # tests/test_demo.py checks each prefix with every digit in every free position.
    mobile_prefixes: str
    free_digits: int


REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("TW", 12, "zh_TW", "zh_TW", "com.tw", "TWD", 8, "90 91 92 93 95 96 97 98", 7),
    RegionSpec(
        "CN", 12, "zh_CN", "zh_CN", "com.cn", "CNY", 8, "130 135 136 138 139 150 158 186 188", 8
    ),
    RegionSpec("DE", 12, "de", "de", "de", "EUR", 1, "151 152 157 160 162 170 172 176 178", 8),
    RegionSpec("PL", 10, "pl", "pl", "pl", "PLN", 1, "50 51 53 57 60 66 69 72 73 78 79 88", 7),
    RegionSpec("MX", 10, "es_MX", "es_MX", "com.mx", "MXN", -6, "55 33 81", 8),
    RegionSpec(
        "US",
        12,
        "en_US",
        "en",
        "com",
        "USD",
        -5,
        "2125 2127 4155 4156 3125 6175 2065 5125 3055 7135 3035 4045 3105 6465",
        6,
    ),
    RegionSpec("JP", 6, "ja", "ja", "co.jp", "JPY", 9, "901 902 903 905 801 802 803 806 703", 7),
    RegionSpec("FR", 5, "fr", "fr", "fr", "EUR", 1, "61 62 64 65 66 67 68 77 78", 7),
    RegionSpec("BR", 5, "pt_BR", "pt_BR", "com.br", "BRL", -3, "119 219 319 419 519 619 819", 8),
    RegionSpec("GB", 5, "en_GB", "en", "co.uk", "GBP", 0, "7701 7712 7723 7745 7789 7400 7411", 6),
    RegionSpec("KR", 4, "ko", "ko", "co.kr", "KRW", 9, "102 103 104 106 107 108 109", 7),
    RegionSpec("ES", 2, "es_ES", "es_ES", "es", "EUR", 1, "60 61 62 63 64 65 66 67 68 69", 7),
    RegionSpec("IT", 2, "it", "it", "it", "EUR", 1, "32 33 34 35 36 37 38 39", 8),
    RegionSpec("NL", 1, "nl", "nl", "nl", "EUR", 1, "61 62 63 64 65 68", 7),
    RegionSpec("AT", 1, "de", "de", "at", "EUR", 1, "650 660 664 676 680 699", 7),
    RegionSpec("CH", 1, "de", "de", "ch", "CHF", 1, "75 76 77 78 79", 7),
)

# Rough value of one euro, to give each deal a believable amount in its own currency.
EUR_RATE = {
    "EUR": 1.0,
    "USD": 1.1,
    "GBP": 0.85,
    "PLN": 4.3,
    "CHF": 0.95,
    "TWD": 35.0,
    "CNY": 7.8,
    "JPY": 160.0,
    "KRW": 1450.0,
    "MXN": 19.0,
    "BRL": 5.5,
}

# ------------------------------------------------------------------ words of the work

NOTES = (
    "Met at our booth; wants a call after the fair",
    "Referred by an existing customer",
    "Downloaded the whitepaper twice",
    "Asked for a price list in the web form",
    "Currently uses spreadsheets; unhappy with errors",
    "Contract with the current vendor ends this year",
    "Prefers email; calls only in the morning",
    "Speaks English and German",
    "Budget cycle starts in October",
    "Several sites; the head office decides",
)

# Evidence lines for checklist answers: (item, answer) -> choices.
EVIDENCE: dict[tuple[str, str], tuple[str, ...]] = {
    ("budget", "yes"): ("Budget approved for this year", "Has set aside funds", "CFO confirmed"),
    ("budget", "no"): ("No budget until next year", "Budget frozen", "Spent on another tool"),
    ("authority", "yes"): ("Signs off purchases", "Owner of the company", "Heads the project"),
    ("authority", "no"): ("Needs board approval", "Influencer only", "Purchasing decides"),
    ("need", "yes"): (
        "Current system end-of-life",
        "Manual process costs two FTE",
        "Audit found gaps",
    ),
    ("need", "no"): ("Happy with the current tool", "No pain mentioned"),
    ("timeline", "yes"): (
        "Wants to decide this quarter",
        "Go-live planned in spring",
        "Deadline set by the regulator",
    ),
    ("timeline", "no"): ("Not before next year", "No date yet", "Waiting for a reorganisation"),
}

ICP_EVIDENCE = ("From the company website", "Said on the phone", "From the trade register", "")

UNQUALIFIED_REASONS = (
    "No budget",
    "Not the decision maker",
    "Not a fit",
    "Private person",
    "Competitor",
    "Bad contact data",
    "No response",
    "Student",
)

NEXT_ACTIONS = (
    "Call back",
    "Send proposal",
    "Send pricing",
    "Follow up by email",
    "Schedule demo",
    "Check budget approval",
    "Send references",
    "Book on-site visit",
    "Send contract",
    "Confirm decision date",
)

NURTURE_ACTION = vocab.NURTURE_ACTION  # the next action of a lead parked until a date

DEAL_LABELS = ("Pilot", "Rollout", "Licences", "Support contract", "Expansion", "Training")

ACTIVITY_NOTES = (
    "Left a message with the assistant",
    "Asked for pricing for 50 seats",
    "Demo went well; IT wants a trial",
    "Sent brochure and two references",
    "Discussed timeline: decision next quarter",
    "They compare us with two other vendors",
    "Wants a call with our technical team",
    "Out of office until next week",
    "Agreed on the scope of a pilot",
    "Procurement needs our company registration",
)


# ----------------------------------------------------------------------- parsing

_GERMAN_FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)
_SPECIAL_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i"}
)


def romanise(text: str, culture: str = "") -> str:
    """Plain lower-case ASCII letters and digits of `text`, for an email local part.

    German umlauts become ae/oe/ue as Germans write them in addresses; other diacritics
    are dropped (Łukasz → lukasz, José → jose).
    """
    if culture == "de":
        text = text.translate(_GERMAN_FOLD)
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLD))
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def _tokens(text: str, culture: str) -> tuple[tuple[str, str], ...]:
    out = []
    for token in text.split():
        native, _, roman = token.partition(":")
        native = native.replace("_", " ")
        out.append((native, roman or romanise(native, culture)))
    return tuple(out)


@dataclass(frozen=True)
class Culture:
    """One naming culture: how names are written, and the words to write them with."""

    key: str
    style: str  # "western", "hispanic" (two surnames), "cjk" (surname first, no space), "ja"
    female: tuple[tuple[str, str], ...]  # (native, roman)
    male: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str, str, str], ...]  # (male, roman, female, roman)
    titles: tuple[str, ...]
    company_patterns: tuple[tuple[str, str, str], ...]
    stems: tuple[tuple[str, str], ...]  # company name stems (native, roman)
    city_prefixes: tuple[tuple[str, str], ...]


def _family(text: str, culture: str) -> tuple[tuple[str, str, str, str], ...]:
    out = []
    for token in text.split():
        male, _, female = token.partition("/")
        ((m_native, m_roman),) = _tokens(male, culture)
        ((f_native, f_roman),) = _tokens(female, culture) if female else ((m_native, m_roman),)
        out.append((m_native, m_roman, f_native, f_roman))
    return tuple(out)


def _stems(key: str, family: tuple[tuple[str, str, str, str], ...]) -> tuple[tuple[str, str]]:
    if key in _CJK_STEM_PARTS:
        first, second = (_tokens(part, key) for part in _CJK_STEM_PARTS[key])
        return tuple((a + b, ar + br) for a, ar in first for b, br in second)
    if key in ("ja", "ko"):
        return _tokens(_JA_STEMS if key == "ja" else _KO_STEMS, key)
    places = _tokens(_PLACE_STEMS.get(key, ""), key)
    return tuple((m, r) for m, r, _, _ in family) + places


@cache
def cultures() -> dict[str, Culture]:
    """Every culture, parsed once per process."""
    out = {}
    for key, data in _PEOPLE.items():
        family = _family(data["family"], key)
        title_key = next(r.titles for r in REGIONS if r.culture == key)
        out[key] = Culture(
            key=key,
            style=data["style"],
            female=_tokens(data["female"], key),
            male=_tokens(data["male"], key),
            family=family,
            titles=tuple(n for n, _ in _tokens(_TITLES[title_key], key)),
            company_patterns=_COMPANY_PATTERNS[key],
            stems=_stems(key, family),
            city_prefixes=_tokens(_CITY_PREFIXES.get(key, ""), key),
        )
    return out


def free_mail(region: str) -> tuple[str, ...]:
    return tuple(_FREE_MAIL[region].split())


def all_words() -> list[str]:
    """Every piece of text the demo can put into a record (for checks in tests)."""
    words: list[str] = [
        *NOTES,
        *ICP_EVIDENCE,
        *UNQUALIFIED_REASONS,
        *NEXT_ACTIONS,
        NURTURE_ACTION,
        *DEAL_LABELS,
        *ACTIVITY_NOTES,
    ]
    for lines in EVIDENCE.values():
        words += lines
    for c in cultures().values():
        words += [n for n, _ in c.female + c.male + c.stems + c.city_prefixes]
        words += [r for _, r in c.female + c.male + c.stems + c.city_prefixes]
        words += [x for f in c.family for x in f]
        words += list(c.titles)
        words += [x for p in c.company_patterns for x in p]
    return words
