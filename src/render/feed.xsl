<?xml version="1.0" encoding="UTF-8"?>
<!-- syndic's outputs as a page for people who open them in a browser:
     RSS 2.0 and Atom 1.0 both, items with title, date, source and link,
     and the address to give a feed reader. Readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="description" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="self" select="(/rss/channel/atom:link[@rel='self'] | /atom:feed/atom:link[@rel='self'])/@href"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; background: #fff; }
          h1 { margin-bottom: .25rem; }
          .subscribe { background: #f3f6fa; border: 1px solid #d6dee8; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0 2rem; }
          .subscribe input { width: 100%; box-sizing: border-box; font: 14px monospace; padding: .4rem; }
          ol { list-style: none; padding: 0; }
          li.item { border-bottom: 1px solid #e5e5e5; padding: .75rem 0; }
          li.item h2 { font-size: 1.1rem; margin: 0; }
          .meta { color: #5f6368; font-size: .9rem; margin: .2rem 0 0; }
          a { color: #0b57d0; }
        </style>
      </head>
      <body>
        <header>
          <h1 id="feed-title"><xsl:value-of select="$title"/></h1>
          <p class="description"><xsl:value-of select="$description"/></p>
          <section class="subscribe" id="subscribe">
            <p><strong>This is a web feed.</strong> Copy the feed URL to your reader
              to follow it there:</p>
            <input id="feed-url" type="text" readonly="readonly" value="{$self}" onfocus="this.select()"/>
          </section>
        </header>
        <main>
          <ol id="items">
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ol>
          <xsl:if test="not(/rss/channel/item | /atom:feed/atom:entry)">
            <p id="empty">No items yet.</p>
          </xsl:if>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="title"/>
      <xsl:with-param name="href" select="link"/>
      <xsl:with-param name="date" select="pubDate"/>
      <xsl:with-param name="source">
        <xsl:choose>
          <xsl:when test="source"><xsl:value-of select="source"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="dc:creator"/></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="atom:entry">
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="atom:title"/>
      <xsl:with-param name="href" select="atom:link[not(@rel) or @rel='alternate'][1]/@href"/>
      <xsl:with-param name="date" select="(atom:published | atom:updated)[1]"/>
      <xsl:with-param name="source">
        <xsl:choose>
          <xsl:when test="atom:source/atom:title"><xsl:value-of select="atom:source/atom:title"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="atom:author/atom:name"/></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="entry">
    <xsl:param name="title"/>
    <xsl:param name="href"/>
    <xsl:param name="date"/>
    <xsl:param name="source"/>
    <li class="item">
      <h2 class="title">
        <xsl:choose>
          <!-- Only web links become links: nothing a feed says runs here. -->
          <xsl:when test="starts-with($href, 'https://') or starts-with($href, 'http://')">
            <a href="{$href}"><xsl:value-of select="$title"/></a>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$title"/></xsl:otherwise>
        </xsl:choose>
      </h2>
      <p class="meta">
        <time class="date"><xsl:value-of select="$date"/></time>
        <xsl:if test="string($source)">
          · <span class="source"><xsl:value-of select="$source"/></span>
        </xsl:if>
      </p>
    </li>
  </xsl:template>
</xsl:stylesheet>
