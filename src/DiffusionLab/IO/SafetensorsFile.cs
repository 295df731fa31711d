using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.IO;

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON header of
/// name → {dtype, shape, data_offsets}, then raw little-endian data). Writes are atomic.
/// </summary>
public static class SafetensorsFile
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Loads every tensor of <paramref name="path"/> onto the CPU, in file order.</summary>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>Loads every tensor and the optional <c>__metadata__</c> string map.</summary>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such safetensors file", path);
        return Load(File.ReadAllBytes(path), path, out metadata);
    }

    /// <summary>
    /// The <c>__metadata__</c> string map alone, reading only the header (a checkpoint's format without loading its
    /// tensors); a missing file is a FileNotFoundException, a foreign or truncated one an InvalidDataException.
    /// </summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such safetensors file", path);
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{path}: truncated safetensors file ({stream.Length} bytes, expected at least 8)");
        long headerLength = BitConverter.ToInt64(lengthBytes, 0);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            throw new InvalidDataException($"{path}: not a safetensors file or truncated (header length {headerLength}, file {stream.Length} bytes)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var metadata = new Dictionary<string, string>();
        try
        {
            if (JsonNode.Parse(Encoding.UTF8.GetString(headerBytes))!.AsObject()["__metadata__"] is JsonObject meta)
                foreach (var (k, v) in meta) metadata[k] = v!.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { throw new InvalidDataException($"{path}: unreadable safetensors header ({e.Message})"); }
        return metadata;
    }

    /// <summary>Parses safetensors content already in memory (e.g. an embedded resource); <paramref name="path"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Load(byte[] bytes, string path, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>();
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: truncated safetensors file ({bytes.Length} bytes, expected at least 8)");
        long headerLength = BitConverter.ToInt64(bytes, 0);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
            throw new InvalidDataException($"{path}: not a safetensors file or truncated (header length {headerLength}, file {bytes.Length} bytes)");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject(); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: unreadable safetensors header ({e.Message})"); }
        long dataStart = 8 + headerLength;
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            var entry = node!.AsObject();
            string dtype = entry["dtype"]!.GetValue<string>();
            long[] shape = entry["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            var offsets = entry["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            long begin = dataStart + offsets[0], end = dataStart + offsets[1];
            if (end > bytes.Length || begin > end)
                throw new InvalidDataException($"{path}: truncated: tensor '{name}' needs bytes {begin}..{end}, file has {bytes.Length}");
            var scalarType = ParseDType(dtype, path, name);
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (count * ElementSize(scalarType) != end - begin)
                throw new InvalidDataException($"{path}: tensor '{name}' has {end - begin} bytes, expected {count * ElementSize(scalarType)} for {dtype}{FormatShape(shape)}");
            var t = torch.empty(shape, scalarType);
            var span = new Span<byte>(bytes, (int)begin, (int)(end - begin));
            CopyInto(t, span);
            result[name] = t;
        }
        return result;
    }

    /// <summary>Writes <paramref name="tensors"/> (any device) to <paramref name="path"/> via a temp file and rename.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            using var cpu = tensor.detach().cpu().contiguous();
            byte[] data = cpu.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(cpu.dtype, name),
                ["shape"] = new JsonArray(cpu.shape.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + data.Length)),
            };
            offset += data.Length;
            blobs.Add(data);
        }
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8; // keeps tensor data 8-byte aligned, as the reference writer does
        if (pad > 0) headerBytes = headerBytes.Concat(Enumerable.Repeat((byte)' ', pad)).ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((long)headerBytes.Length));
            stream.Write(headerBytes);
            foreach (var b in blobs) stream.Write(b);
        });
    }

    private static void CopyInto(Tensor t, Span<byte> src)
    {
        if (src.Length == 0) return;
        t.bytes = src;
    }

    private static ScalarType ParseDType(string dtype, string path, string name) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new InvalidDataException($"{path}: tensor '{name}' has dtype '{dtype}', expected one of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL"),
    };

    private static string DTypeName(ScalarType t, string name) => t switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"tensor '{name}': dtype {t} cannot be stored in safetensors"),
    };

    private static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    internal static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
