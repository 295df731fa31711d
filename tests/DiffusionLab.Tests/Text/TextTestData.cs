using DiffusionLab.Text;

namespace DiffusionLab.Tests.Text;

/// <summary>Captions in the procedural dataset's style and a tokenizer built from them.</summary>
internal static class TextTestData
{
    public static readonly string[] Captions =
    [
        "a photo of a woman wearing a party hat , smiling , on the beach",
        "a photo of a man wearing glasses , frowning , in the city",
        "a photo of a girl with red hair , laughing , in a forest",
        "a photo of a boy wearing a blue cap , on the beach",
    ];

    public static WordTokenizer Tokenizer() => WordTokenizer.FromCorpus(Captions);
}
