// Beach day: a StoryDiffusion story for the CharacterWorld text-to-image model.
// Descriptions and actions use only CharacterWorld caption words (WorldWords.Vocabulary);
// captions (after the last #) are free text, they are drawn on the page, never prompted.
// PhotoMaker mode would add reference photos: [Lily] refs: refs/lily-1.png, refs/lily-2.png

[Lily] a girl in a red shirt wearing a party hat # it is her birthday
[Tom] a boy in a blue shirt with a cap

[Lily] smiling, on the beach #Lily is at the beach early: today is her party.
[Tom] neutral, in the city #Tom is still in the city, stuck in traffic.
[Lily] sad, on the beach #An hour goes by. Still no Tom.
[Tom] surprised, in a green forest #A shortcut through the forest? Tom runs for it.
[NC] a picture of the beach #Meanwhile the waves keep coming in.
[Tom] angry, at the beach #He is late, and he knows it.
[Lily] surprised, at the beach #"Tom! You came after all!"
[Tom] smiling, under the night sky #They watch the stars until midnight.
