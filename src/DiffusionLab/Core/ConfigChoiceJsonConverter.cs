using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionLab.Core;

/// <summary>
/// Reads and writes every <see cref="ConfigChoice"/> enum as its config word, exactly: no case folding and no numbers, so
/// a file reads as it did when these keys were strings and is written back unchanged. A value outside the choice is a
/// <see cref="JsonException"/> whose inner <see cref="ConfigException"/> says what was found and what was expected
/// (<c>'mnist', expected "mnist10k", "folder", ...</c>); the reader puts the key in front. Register it before
/// <see cref="JsonStringEnumConverter"/>, which handles the other enums.
/// </summary>
public sealed class ConfigChoiceJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => ConfigChoice.IsChoice(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Choice<>).MakeGenericType(typeToConvert))!;

    private sealed class Choice<T> : JsonConverter<T> where T : struct, Enum
    {
        private readonly IReadOnlyList<(string Word, object Value)> _words = ConfigChoice.Words(typeof(T));

        // A null for a choice is a bad value to name, not a generic "cannot convert null".
        public override bool HandleNull => true;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                string? word = reader.GetString();
                foreach (var (w, member) in _words)
                    if (w == word) return (T)member;
            }
            string found = reader.TokenType switch
            {
                JsonTokenType.String => $"'{reader.GetString()}'",
                JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => "null",
                JsonTokenType.StartObject => "an object",
                JsonTokenType.StartArray => "a list",
                _ => reader.TokenType.ToString(),
            };
            var problem = new ConfigException($"{found}, expected {ConfigChoice.Expected<T>()}");
            throw new JsonException(problem.Message, problem);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            foreach (var (word, member) in _words)
                if (value.Equals(member)) { writer.WriteStringValue(word); return; }
            throw new JsonException($"{typeof(T).Name} value {value}: not one of {ConfigChoice.Expected<T>()}");
        }
    }
}
