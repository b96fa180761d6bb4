"""Tier / kind / region inference from names and 网站标识码 (names taken from the national export)."""

from __future__ import annotations

import pytest

from zwgk.registry.infer import PlaceIndex, clean_name, infer, place_chain, tier_of_code


@pytest.mark.parametrize(
    "name, tier, kind, region",
    [
        ("江西省人民政府", "省", "portal", "江西省"),
        ("内蒙古自治区人民政府", "省", "portal", "内蒙古自治区"),
        ("北京市人民政府", "省", "portal", "北京市"),  # 直辖市 = province level
        ("北京市交通委员会", "省", "department", "北京市"),
        ("北京市东城区人民政府", "县", "portal", "北京市东城区"),
        ("北京市通州区人民政府", "县", "portal", "北京市通州区"),  # 通州|区, not the place 通州
        ("宜春市人民政府门户网站", "市", "portal", "宜春市"),
        ("郑州市人民政府门户网站", "市", "portal", "郑州市"),
        ("贵州省人民政府", "省", "portal", "贵州省"),
        ("景德镇市人民政府", "市", "portal", "景德镇市"),  # 景德镇 is a city, not a 镇
        ("湘西州人力资源和社会保障局", "市", "department", "湘西州"),
        ("黔东南苗族侗族自治州人民政府", "市", "portal", "黔东南苗族侗族自治州"),
        ("阿拉善盟行政公署", "市", "department", "阿拉善盟"),
        ("林芝地区民生服务网", "市", "department", "林芝地区"),
        ("万载县人民政府", "县", "portal", "万载县"),
        ("万载县人民政府办公室", "县", "portal", "万载县"),
        ("万载县统计局", "县", "department", "万载县"),
        ("岳阳市城市管理和行政执法局", "市", "department", "岳阳市"),
        ("河北省住房和城乡建设厅", "省", "department", "河北省"),  # 城乡 is not a 乡
        ("呼和浩特市人民政府", "市", "portal", "呼和浩特市"),
        ("永和县人民政府门户网站", "县", "portal", "永和县"),
        ("馆陶县人民政府", "县", "portal", "馆陶县"),
        ("柏乡县人民政府", "县", "portal", "柏乡县"),
        ("津市市人民政府门户网站", "市", "portal", "津市市"),  # no code: a 市 name reads as city level
        ("鄂伦春自治旗人民政府", "县", "portal", "鄂伦春自治旗"),
        ("赤峰市巴林左旗人民政府", "县", "portal", "赤峰市巴林左旗"),
        ("上海市浦东新区人民政府", "县", "portal", "上海市浦东新区"),
        ("滨海新区人民政府政务服务办公室网站", "县", "department", "滨海新区"),
        ("天津市人民政府外事办公室", "省", "department", "天津市"),
        ("杨林镇人民政府", "乡", "portal", "杨林镇"),
        ("岳阳县荣家湾镇人民政府", "乡", "portal", "岳阳县荣家湾镇"),
        ("朝阳区建外街道办事处", "乡", "portal", "朝阳区建外街道"),
        ("中国河北", "省", "portal", "河北省"),
        ("天津政务网", "省", "portal", "天津市"),
        ("中共盐亭县委 盐亭县人民政府", "县", "portal", "盐亭县"),
        ("中共嘉兴市委嘉兴市人民政府", "市", "portal", "嘉兴市"),
        ("平邑政府网_平邑县人民政府门户网站", "县", "portal", "平邑县"),
        ("中华人民共和国教育部", "部委", "department", ""),
        ("国家统计局", "部委", "department", ""),
        ("外交部", "部委", "department", ""),
        ("中国气象局", "部委", "department", ""),
        ("中国政府网", "部委", "portal", ""),
        ("中华人民共和国中央人民政府", "部委", "portal", ""),
    ],
)
def test_tier_kind_region_from_names(name, tier, kind, region):
    guess = infer(name)
    assert (guess.tier, guess.kind, guess.region) == (tier, kind, region)


@pytest.mark.parametrize(
    "code, tier",
    [
        ("bm10000001", "部委"),
        ("BM35000001", "部委"),
        ("4400000131", "省"),
        ("3609000002", "市"),
        ("3609220011", "县"),
        ("1100000088", "省"),
        ("1101050001", "县"),  # a district of Beijing
        ("5002350018", "县"),  # 云阳县, Chongqing
        ("BT00000020", "省"),  # the 兵团
        ("BT14000004", "市"),  # a 师
        ("12BM010001", None),  # vertical body: the name decides
        ("", None),
        ("abc", None),
    ],
)
def test_tier_from_site_code(code, tier):
    assert tier_of_code(code) == tier


def test_code_beats_name_but_not_for_lower_portals():
    # 县级市: the name says 市, the code's division (360982) says county
    assert infer("樟树市人民政府", "3609820001").tier == "县"
    # a county portal filed under its city's code keeps the county level
    assert infer("扎囊县人民政府办公室", "5422000030").tier == "县"
    # a provincial prison under a city code: departments follow the code
    assert infer("广东省广州监狱门户网站", "4401000099").tier == "市"
    # a 12BM vertical body in Tianjin with a city-level name stays as named
    assert infer("天津市财政局", "12BM010001").tier == "省"
    # 乡/镇 portals are township whatever the code
    assert infer("荣家湾镇人民政府", "4306210099").tier == "乡"
    # the 兵团
    guess = infer("兵团第十四师政务网", "BT14000004")
    assert (guess.tier, guess.kind, guess.region) == ("市", "portal", "新疆生产建设兵团")


def test_region_learnt_from_the_registry_for_names_without_place():
    places = PlaceIndex()
    for code, name in [("5101000001", "成都市人民政府"), ("5101000002", "成都市教育局"), ("5101000067", "成都信用")]:
        places.add(code, name)
    assert infer("成都信用", "5101000067", places).region == "成都市"
    assert infer("成都信用", "5101000067").region == ""


def test_name_cleaning_and_place_chain():
    assert clean_name("河北省人民政府（中国河北）") == "河北省人民政府"
    assert clean_name("  台州市统计局网站 ") == "台州市统计局"
    assert clean_name("“福建明溪”政府网站") == "福建明溪政府"
    assert place_chain("湖南省岳阳市岳阳县教育局") == ["湖南省", "岳阳市", "岳阳县"]
    assert place_chain("国家税务总局天津市税务局") == []
