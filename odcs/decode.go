package odcs

import "strconv"

// decodeContract fills a Contract from the node tree. It is lenient:
// a field of the wrong type is left at its zero value (Validate reports
// it), unknown fields are ignored.
func decodeContract(root *node) *Contract {
	c := &Contract{
		APIVersion:        root.get("apiVersion").str(),
		Kind:              root.get("kind").str(),
		ID:                root.get("id").str(),
		Name:              root.get("name").str(),
		Version:           root.get("version").str(),
		Status:            root.get("status").str(),
		Domain:            root.get("domain").str(),
		DataProduct:       root.get("dataProduct").str(),
		Tenant:            root.get("tenant").str(),
		ContractCreatedTs: root.get("contractCreatedTs").str(),
		Tags:              root.get("tags").strs(),
		CustomProperties:  decodeCustom(root.get("customProperties")),
	}
	if d := root.get("description"); d != nil {
		c.Description = Description{
			Purpose:          d.get("purpose").str(),
			Usage:            d.get("usage").str(),
			Limitations:      d.get("limitations").str(),
			CustomProperties: decodeCustom(d.get("customProperties")),
		}
	}
	for i, s := range seq(root.get("servers")) {
		c.Servers = append(c.Servers, decodeServer(s, "servers["+strconv.Itoa(i)+"]"))
	}
	for i, o := range seq(root.get("schema")) {
		c.Schema = append(c.Schema, decodeObject(o, "schema["+strconv.Itoa(i)+"]"))
	}
	c.Team = decodeTeam(root.get("team"))
	for _, r := range seq(root.get("roles")) {
		c.Roles = append(c.Roles, decodeRole(r))
	}
	for _, s := range seq(root.get("support")) {
		if s.kind != kindMap {
			continue
		}
		c.Support = append(c.Support, &Support{
			Channel:       s.get("channel").str(),
			URL:           s.get("url").str(),
			Description:   s.get("description").str(),
			Tool:          s.get("tool").str(),
			Scope:         s.get("scope").str(),
			InvitationURL: s.get("invitationUrl").str(),
		})
	}
	return c
}

// seq returns a list's items; nil for anything else.
func seq(n *node) []*node {
	if n == nil || n.kind != kindSeq {
		return nil
	}
	return n.items
}

func decodeCustom(n *node) CustomProperties {
	var out CustomProperties
	for _, it := range seq(n) {
		if it.kind != kindMap {
			continue
		}
		v := it.get("value")
		cp := CustomProperty{Property: it.get("property").str(), Value: goValue(v, 0)}
		if v.isScalar() && v.kind != kindNull {
			cp.Text = v.text
		}
		out = append(out, cp)
	}
	return out
}

func decodeServer(n *node, path string) *Server {
	return &Server{
		Server:           n.get("server").str(),
		Type:             n.get("type").str(),
		Environment:      n.get("environment").str(),
		Description:      n.get("description").str(),
		Account:          n.get("account").str(),
		Host:             n.get("host").str(),
		Database:         n.get("database").str(),
		Catalog:          n.get("catalog").str(),
		Schema:           n.get("schema").str(),
		Warehouse:        n.get("warehouse").str(),
		Port:             n.get("port").integer(),
		CustomProperties: decodeCustom(n.get("customProperties")),
		Path:             path,
		Pos:              n.pos,
	}
}

func decodeObject(n *node, path string) *Object {
	o := &Object{
		ID:               n.get("id").str(),
		Name:             n.get("name").str(),
		PhysicalName:     n.get("physicalName").str(),
		PhysicalType:     n.get("physicalType").str(),
		LogicalType:      n.get("logicalType").str(),
		BusinessName:     n.get("businessName").str(),
		Description:      n.get("description").str(),
		Tags:             n.get("tags").strs(),
		CustomProperties: decodeCustom(n.get("customProperties")),
		Path:             path,
		Pos:              n.pos,
	}
	for i, p := range seq(n.get("properties")) {
		o.Properties = append(o.Properties, decodeProperty(p, path+".properties["+strconv.Itoa(i)+"]", o.Name, 0))
	}
	for i, r := range seq(n.get("relationships")) {
		o.Relationships = append(o.Relationships, decodeRelationship(r, path+".relationships["+strconv.Itoa(i)+"]", ""))
	}
	return o
}

// decodeProperty decodes a property. owner is the name of the object a
// top-level property belongs to ("" for nested ones), used as the
// implicit From of its relationships.
func decodeProperty(n *node, path, owner string, depth int) *Property {
	p := &Property{
		ID:                 n.get("id").str(),
		Name:               n.get("name").str(),
		PhysicalName:       n.get("physicalName").str(),
		PhysicalType:       n.get("physicalType").str(),
		LogicalType:        n.get("logicalType").str(),
		PrimaryKey:         n.get("primaryKey").boolean(),
		PrimaryKeyPosition: -1,
		Required:           n.get("required").boolean(),
		Unique:             n.get("unique").boolean(),
		Partitioned:        n.get("partitioned").boolean(),
		Classification:     n.get("classification").str(),
		Description:        n.get("description").str(),
		BusinessName:       n.get("businessName").str(),
		Tags:               n.get("tags").strs(),
		CustomProperties:   decodeCustom(n.get("customProperties")),
		Path:               path,
		Pos:                n.pos,
	}
	if v := n.get("primaryKeyPosition"); v != nil && (v.kind == kindInt || v.kind == kindString) {
		p.PrimaryKeyPosition = v.integer()
	}
	if m, ok := goValue(n.get("logicalTypeOptions"), 0).(map[string]any); ok {
		p.LogicalTypeOptions = m
	}
	if ex, ok := goValue(n.get("examples"), 0).([]any); ok {
		p.Examples = ex
	}
	if depth < MaxDepth {
		for i, c := range seq(n.get("properties")) {
			p.Properties = append(p.Properties, decodeProperty(c, path+".properties["+strconv.Itoa(i)+"]", "", depth+1))
		}
		if it := n.get("items"); it != nil && it.kind == kindMap {
			p.Items = decodeProperty(it, path+".items", "", depth+1)
		}
	}
	from := ""
	if owner != "" && p.Name != "" {
		from = owner + "." + p.Name
	}
	for i, r := range seq(n.get("relationships")) {
		p.Relationships = append(p.Relationships, decodeRelationship(r, path+".relationships["+strconv.Itoa(i)+"]", from))
	}
	return p
}

func decodeRelationship(n *node, path, implicitFrom string) *Relationship {
	r := &Relationship{
		Type:             n.get("type").str(),
		From:             n.get("from").strs(),
		To:               n.get("to").strs(),
		CustomProperties: decodeCustom(n.get("customProperties")),
		Path:             path,
		Pos:              n.pos,
	}
	if r.Type == "" && n.kind == kindMap {
		r.Type = "foreignKey" // the ODCS default
	}
	if len(r.From) == 0 && implicitFrom != "" {
		r.From = []string{implicitFrom}
	}
	return r
}

func decodeTeam(n *node) *Team {
	switch {
	case n == nil:
		return nil
	case n.kind == kindSeq: // v3.0: a list of members
		return &Team{Members: decodeMembers(n)}
	case n.kind == kindMap: // v3.1: an object
		return &Team{
			ID:          n.get("id").str(),
			Name:        n.get("name").str(),
			Description: n.get("description").str(),
			Members:     decodeMembers(n.get("members")),
		}
	}
	return nil
}

func decodeMembers(n *node) []*TeamMember {
	var out []*TeamMember
	for _, m := range seq(n) {
		if m.kind != kindMap {
			continue
		}
		out = append(out, &TeamMember{
			Username:           m.get("username").str(),
			Name:               m.get("name").str(),
			Description:        m.get("description").str(),
			Role:               m.get("role").str(),
			DateIn:             m.get("dateIn").str(),
			DateOut:            m.get("dateOut").str(),
			ReplacedByUsername: m.get("replacedByUsername").str(),
		})
	}
	return out
}

func decodeRole(n *node) *Role {
	return &Role{
		Role:                 n.get("role").str(),
		Description:          n.get("description").str(),
		Access:               n.get("access").str(),
		FirstLevelApprovers:  n.get("firstLevelApprovers").str(),
		SecondLevelApprovers: n.get("secondLevelApprovers").str(),
		CustomProperties:     decodeCustom(n.get("customProperties")),
	}
}
