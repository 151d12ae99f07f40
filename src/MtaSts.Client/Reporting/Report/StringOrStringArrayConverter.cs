using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtaSts;

/// <summary>
/// Reads a JSON string or an array of strings (null elements skipped) as a list; writes an array. For <c>mx-host</c>
/// (RFC 8460 erratum 6241) and <c>policy-string</c>, which some implementations send as a single string.
/// </summary>
internal sealed class StringOrStringArrayConverter : JsonConverter<List<string>>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        list.Add(reader.GetString()!);
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw new JsonException($"Expected strings in the array, found {reader.TokenType}.");
                    }
                }

                return list;
            default:
                throw new JsonException($"Expected a string or an array of strings, found {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}
