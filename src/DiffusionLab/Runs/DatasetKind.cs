using System.Text.Json.Serialization;

namespace DiffusionLab.Runs;

/// <summary>What a run trains on (<see cref="DataSection.Dataset"/>); the JSON words are the config file's.</summary>
public enum DatasetKind
{
    /// <summary>Class-conditional: MNIST-10k, shipped with the library.</summary>
    [JsonStringEnumMemberName("mnist10k")] Mnist10k,
    /// <summary>Class-conditional: an image folder, class = sub-folder name.</summary>
    [JsonStringEnumMemberName("folder")] Folder,
    /// <summary>Text-conditional: procedural captioned people, rendered on the fly.</summary>
    [JsonStringEnumMemberName("characterworld")] CharacterWorld,
    /// <summary>Text-conditional: image files with same-named .txt captions, one identity per sub-folder.</summary>
    [JsonStringEnumMemberName("captions")] Captions,
}
