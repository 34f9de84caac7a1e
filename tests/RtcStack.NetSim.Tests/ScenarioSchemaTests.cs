using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using RtcStack.NetSim.Scenarios;
using Xunit;

namespace RtcStack.NetSim.Tests;

/// <summary>
/// The hand-written JSON Schema must say exactly what the scenario types read: the same members, each explained,
/// with the same defaults (a member added to a record without a schema entry, or a changed default, fails here).
/// </summary>
public class ScenarioSchemaTests
{
    private static readonly JsonObject s_schema = JsonNode.Parse(ScenarioSchema.Text)!.AsObject();

    public static TheoryData<string, string> Objects => new()
    {
        { "", nameof(ScenarioDefinition) },
        { "$defs/link", nameof(LinkDefinition) },
        { "$defs/link/properties/capacity/items", nameof(CapacityStep) },
        { "$defs/link/properties/gilbertElliott", nameof(GilbertElliottDefinition) },
        { "$defs/mediaFlow", nameof(MediaFlowDefinition) },
        { "$defs/crossTraffic", nameof(CrossTrafficDefinition) },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void SchemaHasExactlyTheMembersOfTheTypeEachDescribed(string pointer, string typeName)
    {
        JsonObject node = At(pointer);
        Type type = typeof(ScenarioDefinition).Assembly.GetType("RtcStack.NetSim.Scenarios." + typeName)!;
        var expected = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order().ToList();
        JsonObject properties = node["properties"]!.AsObject();
        Assert.Equal(expected, properties.Select(p => p.Key).Order().ToList());
        Assert.False(node["additionalProperties"]!.GetValue<bool>());
        Assert.False(string.IsNullOrWhiteSpace(node["description"]?.GetValue<string>()));
        foreach ((string name, JsonNode? p) in properties)
        {
            Assert.False(string.IsNullOrWhiteSpace(p!["description"]?.GetValue<string>()), $"{typeName}.{name} has no description");
        }
    }

    [Fact]
    public void SchemaDefaultsAreTheDefaultsTheParserApplies()
    {
        var def = new ScenarioDefinition
        {
            Links = [new LinkDefinition(), new LinkDefinition { GilbertElliott = new GilbertElliottDefinition(0.1, 0.2) }],
            MediaFlows = [new MediaFlowDefinition()],
            CrossTraffic = [new CrossTrafficDefinition()],
        };
        JsonObject actual = JsonNode.Parse(JsonSerializer.Serialize(def, ScenarioJsonContext.Default.ScenarioDefinition))!.AsObject();
        int checkedDefaults = 0;
        void Compare(JsonObject schemaObject, JsonObject value, string where)
        {
            foreach ((string name, JsonNode? p) in schemaObject["properties"]!.AsObject())
            {
                if (p!.AsObject().ContainsKey("default"))
                {
                    JsonNode? v = value[name];
                    Assert.True(SameJson(p["default"], v), $"{where}.{name}: schema default {p["default"]?.ToJsonString() ?? "null"}, parser default {v?.ToJsonString() ?? "null"}");
                    checkedDefaults++;
                }
            }
        }
        Compare(s_schema, JsonNode.Parse(JsonSerializer.Serialize(new ScenarioDefinition(), ScenarioJsonContext.Default.ScenarioDefinition))!.AsObject(), "scenario");
        Compare(At("$defs/link"), actual["links"]![0]!.AsObject(), "link");
        Compare(At("$defs/link/properties/gilbertElliott"), actual["links"]![1]!["gilbertElliott"]!.AsObject(), "gilbertElliott");
        Compare(At("$defs/mediaFlow"), actual["mediaFlows"]![0]!.AsObject(), "mediaFlow");
        Compare(At("$defs/crossTraffic"), actual["crossTraffic"]![0]!.AsObject(), "crossTraffic");
        Assert.True(checkedDefaults > 40, $"only {checkedDefaults} defaults compared");
    }

    [Fact]
    public void RequiredMembersAreTheOnesTheParserInsistsOn()
    {
        Assert.Equal(["id"], At("$defs/link")["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["forward"], At("$defs/mediaFlow")["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["forward"], At("$defs/crossTraffic")["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        // What "required" claims, the parser enforces: a link without an id and a flow without forward links are refused.
        Assert.False(ScenarioFile.TryParse("""{"links": [ { "propagationDelayMs": 5 } ]}""", out _, out _));
        Assert.False(ScenarioFile.TryParse("""{"links": [ { "id": "a" } ], "mediaFlows": [ { "backward": ["a"] } ]}""", out _, out _));
    }

    [Fact]
    public void EmbeddedSchemaIsTheFileInTheRepository()
    {
        string file = Path.Combine(TestSupport.RepoPaths.Root, "src", "RtcStack.NetSim", "Scenarios", "scenario.schema.json");
        Assert.Equal(File.ReadAllText(file), ScenarioSchema.Text);
    }

    private static JsonObject At(string pointer)
    {
        JsonNode node = s_schema;
        foreach (string part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node[part]!;
        }
        return node.AsObject();
    }

    private static bool SameJson(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        if (a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number)
        {
            return a.GetValue<double>() == b.GetValue<double>();
        }
        return JsonNode.DeepEquals(a, b);
    }
}
