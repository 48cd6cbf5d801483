import { insertRows } from "../../core/db/insert.js";
import type { DemoMunicipalitySeeded, DemoSeedContext } from "../../core/modules.js";

/*
 * Each demo municipality's site: its elected officials, a few news items (one a draft) and its
 * static pages (one unpublished), in the municipality's first language.
 */

function newsFor(m: DemoMunicipalitySeeded): { title: string; summary: string; body: string; language: string; publishedDaysAgo: number | null }[] {
  if (m.languages[0] === "pt") {
    return [
      {
        title: `${m.name} publica o seu orçamento municipal`,
        summary: "O orçamento do ano está disponível para consulta de todos.",
        body: `A Câmara Municipal de ${m.name} publica o orçamento aprovado em sessão.\n\nOs munícipes podem consultá-lo na câmara e em linha.`,
        language: "pt",
        publishedDaysAgo: 3,
      },
      {
        title: "Reunião pública sobre o plano de ação local",
        summary: "Todos os munícipes estão convidados.",
        body: "Uma reunião pública sobre o plano de ação de governo aberto terá lugar na câmara municipal.\n\nA participação é livre.",
        language: "pt",
        publishedDaysAgo: 10,
      },
      { title: "Rascunho: horário de verão dos serviços", summary: "", body: "Texto em preparação.", language: "pt", publishedDaysAgo: null },
    ];
  }
  return [
    {
      title: `${m.name} ouvre son budget aux citoyens`,
      summary: "Le budget primitif de l'année est publié et consultable par tous.",
      body: `La commune de ${m.name} publie son budget primitif adopté en conseil municipal.\n\nChaque habitant peut le consulter à la mairie et en ligne, et poser ses questions lors de la prochaine séance publique.`,
      language: "fr",
      publishedDaysAgo: 2,
    },
    {
      title: "Lancement du cadre de concertation communal",
      summary: "Un espace de dialogue entre la mairie, les organisations de la société civile et les habitants.",
      body: "Le cadre de concertation réunira chaque trimestre la mairie, les associations de quartier, les organisations de femmes et de jeunes.\n\nLa première rencontre portera sur le plan d'action local de gouvernement ouvert.",
      language: "fr",
      publishedDaysAgo: 9,
    },
    {
      title: "Campagne d'enregistrement des naissances",
      summary: "Les agents de l'état civil se déplacent dans les quartiers.",
      body: "Pendant un mois, les agents de l'état civil tiendront des permanences dans les quartiers pour enregistrer les naissances non déclarées.\n\nMunissez-vous du certificat d'accouchement si vous l'avez.",
      language: "fr",
      publishedDaysAgo: 20,
    },
    { title: "Brouillon : horaires d'hivernage des services", summary: "", body: "Texte en préparation.", language: "fr", publishedDaysAgo: null },
  ];
}

function pagesFor(m: DemoMunicipalitySeeded): { slug: string; title: string; body: string; language: string; published: boolean }[] {
  const pt = m.languages[0] === "pt";
  return [
    {
      slug: pt ? "sobre" : "a-propos",
      title: pt ? `Sobre ${m.name}` : `À propos de ${m.name}`,
      body: m.description + (pt ? "\n\nA câmara municipal está aberta de segunda a sexta-feira." : "\n\nLa mairie est ouverte du lundi au vendredi."),
      language: pt ? "pt" : "fr",
      published: true,
    },
    {
      slug: pt ? "horarios" : "horaires",
      title: pt ? "Horários da câmara" : "Horaires de la mairie",
      body: pt ? "Segunda a sexta-feira: 8h00–15h00." : "Du lundi au jeudi : 8 h – 16 h.\n\nLe vendredi : 8 h – 13 h.",
      language: pt ? "pt" : "fr",
      published: true,
    },
    {
      slug: pt ? "rascunho" : "brouillon",
      title: pt ? "Página em preparação" : "Page en préparation",
      body: pt ? "Conteúdo interno." : "Contenu interne non publié.",
      language: pt ? "pt" : "fr",
      published: false,
    },
  ];
}

/**
 * Each demo municipality's place on the network's map (approximate town centres, WGS 84) and the
 * colour its administrator would have chosen; two keep the network's blue, as a new one would.
 */
const IDENTITIES: Record<string, { latitude: number; longitude: number; color: string | null }> = {
  rufisque: { latitude: 14.72, longitude: -17.27, color: "#1e7b34" },
  "fass-colobane": { latitude: 14.69, longitude: -17.45, color: "#f2c14e" },
  kouroussa: { latitude: 10.65, longitude: -9.88, color: "#b3261e" },
  labe: { latitude: 11.32, longitude: -12.28, color: null },
  bissau: { latitude: 11.86, longitude: -15.6, color: "#7b3fa0" },
  "dan-kassari": { latitude: 13.27, longitude: 3.17, color: "#e07a1f" },
  mantakari: { latitude: 14.45, longitude: 3.45, color: null },
};

/** Identity, officials, news and pages of every demo municipality, written by its editor when it has one. */
export async function seedPortalDemo({ db, municipalities }: DemoSeedContext): Promise<void> {
  for (const m of municipalities) {
    const identity = IDENTITIES[m.slug];
    if (identity) {
      await db.query("UPDATE municipalities SET latitude = $2, longitude = $3, brand_color = $4 WHERE id = $1", [m.id, identity.latitude, identity.longitude, identity.color]);
    }
  }
  // One multi-row statement per table for the whole network, in the order a loop per municipality would insert.
  await insertRows(db, "officials", ["municipality_id", "name", "title", "position"], municipalities.flatMap((m) => m.officials.map(([name, title], index) => [m.id, name, title, index])));
  await insertRows(
    db,
    "news",
    ["municipality_id", "title", "summary", "body", "language", "status", "published_at", "created_by", "updated_by"],
    municipalities.flatMap((m) => {
      const editorId = m.staff.editor?.id ?? null;
      return newsFor(m).map((item) => {
        const publishedAt = item.publishedDaysAgo === null ? null : new Date(Date.now() - item.publishedDaysAgo * 86_400_000);
        return [m.id, item.title, item.summary, item.body, item.language, publishedAt ? "published" : "draft", publishedAt, editorId, editorId];
      });
    }),
  );
  await insertRows(
    db,
    "pages",
    ["municipality_id", "slug", "title", "body", "language", "status", "published_at", "created_by", "updated_by"],
    municipalities.flatMap((m) => {
      const editorId = m.staff.editor?.id ?? null;
      return pagesFor(m).map((page) => [m.id, page.slug, page.title, page.body, page.language, page.published ? "published" : "draft", page.published ? new Date() : null, editorId, editorId]);
    }),
  );
}
