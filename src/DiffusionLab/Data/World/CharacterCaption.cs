namespace DiffusionLab.Data.World;

/// <summary>A caption and where its class word sits in it.</summary>
public sealed record CharacterCaption(string Text, CaptionSpan ClassWord);
